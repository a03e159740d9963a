# Writes test/fixtures/onnx/newer-exporter.onnx: a small Gemm+Relu+Gemm classifier carrying fields
# a newer ONNX exporter writes (IR 10+: NodeProto.metadata_props, ValueInfoProto/TensorProto/
# GraphProto.metadata_props, ModelProto.configuration) and a field number no ONNX release defines.
# onnx 1.12 does not know them, so they are appended to the messages as raw protobuf fields.
# Run with /usr/bin/python3 (Debian's onnx 1.12).
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def varint(n):
    out = b''
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(number, payload):  # a length-delimited field
    return varint((number << 3) | 2) + varint(len(payload)) + payload


def entry(key, value):  # StringStringEntryProto
    return field(1, key.encode()) + field(2, value.encode())


rng = np.random.default_rng(0)
w1 = numpy_helper.from_array(rng.standard_normal((8, 4)).astype(np.float32), 'w1')
b1 = numpy_helper.from_array(np.zeros(8, np.float32), 'b1')
w2 = numpy_helper.from_array(rng.standard_normal((3, 8)).astype(np.float32), 'w2')
b2 = numpy_helper.from_array(np.zeros(3, np.float32), 'b2')
nodes = [
    helper.make_node('Gemm', ['x', 'w1', 'b1'], ['h'], name='fc1', transB=1),
    helper.make_node('Relu', ['h'], ['r'], name='relu'),
    helper.make_node('Gemm', ['r', 'w2', 'b2'], ['logits'], name='fc2', transB=1),
]
graph = helper.make_graph(nodes, 'newer', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 4])],
                          [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['N', 3])], [w1, b1, w2, b2])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
model.ir_version = 8
g = model.graph
g.node[0].MergeFromString(field(9, entry('source', 'layer1.fc')))            # NodeProto.metadata_props
g.node[1].MergeFromString(varint((77 << 3) | 0) + varint(5))                 # unknown NodeProto field 77
g.input[0].MergeFromString(field(4, entry('role', 'pixels')))                # ValueInfoProto.metadata_props
g.initializer[0].MergeFromString(field(16, entry('quant', 'none')))          # TensorProto.metadata_props
g.MergeFromString(field(16, entry('graph_note', 'kept')))                    # GraphProto.metadata_props
model.MergeFromString(field(26, field(1, b'cfg') + varint((2 << 3) | 0) + varint(1)))  # ModelProto.configuration
model.MergeFromString(varint((99 << 3) | 0) + varint(1))                     # unknown ModelProto field 99
onnx.save(model, 'test/fixtures/onnx/newer-exporter.onnx')
