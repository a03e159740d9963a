// One model per class of mismatch the ONNX Runtime oracle found (tools/ort-oracle-fuzz.ts): ONNX
// Runtime refuses each (checked here, in the test), and crsam refuses it too, before building
// anything, in one sentence that names the user's node and the attribute or input at fault.
import { expect } from 'chai';
import * as path from 'node:path';
import { DataType } from '../../src/onnx/dtype';
import { Model, Node } from '../../src/onnx/ir';
import { loadModel, serializeModel } from '../../src/onnx/io';
import { crsamVerdict } from '../fuzz/ort-oracle';
import { ortVerdict } from '../fuzz/ort-verdict';
import { repoRoot } from '../repo-root';

const load = (file: string): Model => loadModel(path.join(repoRoot(), file));
const nodeOf = (m: Model, name: string): Node => {
  const n = m.graph.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
};
const setInt = (name: string, attr: string, v: number) => (m: Model) => { nodeOf(m, name).attributes.set(attr, { type: 'int', value: v }); };
const setInts = (name: string, attr: string, v: number[]) => (m: Model) => { nodeOf(m, name).attributes.set(attr, { type: 'ints', value: v }); };
const drop = (name: string, attr: string) => (m: Model) => { nodeOf(m, name).attributes.delete(attr); };

const LENET = 'models/lenet5.onnx';
const GRU = 'test/fixtures/torch/rnn/gru-bi-o15/model.onnx';
const LSTM = 'test/fixtures/torch/rnn/lstm-o17/model.onnx';
const TEXT = 'test/fixtures/sweep/text_conv1d_op17/model.onnx';
const FORMS = 'test/fixtures/interop/opset18.onnx';
const FIXED = 'test/fixtures/interop/fixed_batch.onnx';

// [class, model, edit, what crsam must say]
const CASES: [string, string, (m: Model) => void, RegExp][] = [
  ['logits declared bool', LENET, (m) => { m.graph.outputs[0] = { ...m.graph.outputs[0], dtype: DataType.BOOL }; }, /graph output 'logits' is declared BOOL, but the graph computes it as FLOAT/],
  ['logits declared int64', LENET, (m) => { m.graph.outputs[0] = { ...m.graph.outputs[0], dtype: DataType.INT64 }; }, /graph output 'logits' is declared INT64, but the graph computes it as FLOAT/],
  ['a float16 image input into float weights', LENET, (m) => { m.graph.inputs[0] = { ...m.graph.inputs[0], dtype: DataType.FLOAT16 }; }, /Conv node 'conv1_node': input 1 \('conv1.weight'\) is FLOAT but input 0 \('input'\) is FLOAT16; they must have one element type/],
  ['an int64 image input into Conv', LENET, (m) => { m.graph.inputs[0] = { ...m.graph.inputs[0], dtype: DataType.INT64 }; }, /Conv node 'conv1_node': input 1 .* is FLOAT but input 0 .* is INT64/],
  ['a bool input into MatMul', 'test/fixtures/torch/rnn/einsum-o17/model.onnx', (m) => { m.graph.inputs[0] = { ...m.graph.inputs[0], dtype: DataType.BOOL }; }, /MatMul node '\/qkv\/MatMul': its input 0 is BOOL/],
  ['an int32 BatchNorm bias', FIXED, (m) => { const t = m.graph.initializers.get('bn.bias'); if (t) m.graph.initializers.set('bn.bias', { ...t, dtype: DataType.INT32, data: new Int32Array(t.data.length) }); }, /BatchNormalization node '\/bn\/BatchNormalization': input 2 \('bn.bias'\) is INT32; it must be FLOAT or DOUBLE or FLOAT16/],
  ['Concat without its required axis', GRU, drop('/rnn/Concat_2', 'axis'), /Concat node '\/rnn\/Concat_2': the required attribute axis is missing/],
  ['Cast to an element type that does not exist', GRU, setInt('/Cast', 'to', -1), /Cast node '\/Cast': its attribute to \(-1\) is not an ONNX element type/],
  ['Cast to int16 feeding Gather indices', LSTM, setInt('/Cast', 'to', DataType.INT16), /Gather node '\/emb\/Gather': input 1 \('\/Cast_output_0'\) is INT16; it must be INT32 or INT64/],
  ['a Transpose perm of the wrong length', TEXT, setInts('/Transpose', 'perm', [0, 2]), /Transpose node '\/Transpose': its attribute perm \[0, 2\] must order the input's 3 axes 0…2, each once/],
  ['a Transpose perm with a repeated axis', TEXT, setInts('/Transpose', 'perm', [0, 2, 2]), /Transpose node '\/Transpose': its attribute perm \[0, 2, 2\] must order/],
  ['a Transpose perm with a negative axis', TEXT, setInts('/Transpose', 'perm', [0, 2, -3]), /its attribute perm \[0, 2, -3\] must order/],
  ['a Conv kernel_shape of the wrong length', LENET, setInts('conv1_node', 'kernel_shape', [5]), /Conv node 'conv1_node': its attribute kernel_shape has 1 values, but the input has 2 spatial dims \(expected 2\)/],
  ['a Conv strides of the wrong length', TEXT, setInts('/conv/Conv', 'strides', [1, 1]), /Conv node '\/conv\/Conv': its attribute strides has 2 values, but the input has 1 spatial dims/],
  ['a Conv dilation of 0', LENET, setInts('conv1_node', 'dilations', [0, 1]), /its attribute dilations must hold whole numbers of at least 1, got \[0, 1\]/],
  ['negative Conv pads', LENET, setInts('conv1_node', 'pads', [-1, -1, -1, -1]), /its attribute pads must hold whole numbers of at least 0, got \[-1, -1, -1, -1\]/],
  ['a dilated Conv kernel larger than its input', FIXED, setInts('/conv/Conv', 'dilations', [1, 5]), /Conv node '\/conv\/Conv': its window \(kernel_shape, dilations, pads, strides\) does not fit the input's spatial size \[8, 8\]: the output would be \[8, 0\]/],
  ['a Conv kernel_shape unlike its weights', 'test/fixtures/torch/resnet/model.onnx', setInts('/layer2/shortcut/shortcut.0/Conv', 'kernel_shape', [2, 2]), /Conv node '\/layer2\/shortcut\/shortcut.0\/Conv': its attribute kernel_shape \[2, 2\] does not match the weights' spatial sizes \[1, 1\]/],
  ['MaxPool pads as large as its kernel', LENET, setInts('MaxPool_node', 'pads', [2, 0, 0, 0]), /MaxPool node 'MaxPool_node': its attribute pads \[2, 0, 0, 0\] must each be smaller than the kernel \[2, 2\]/],
  ['Pad axes of a float type', FORMS, (m) => { const t = m.graph.initializers.get('pad_axes'); if (t) m.graph.initializers.set('pad_axes', { ...t, dtype: DataType.DOUBLE, data: new Float64Array(t.data.length) }); }, /Pad node 'pad': input 3 \('pad_axes'\) is DOUBLE; it must be INT32 or INT64/],
  ['a MaxPool kernel_shape of the wrong length', LENET, setInts('MaxPool_node', 'kernel_shape', [2]), /MaxPool node 'MaxPool_node': its attribute kernel_shape has 1 values/],
  ['Split num_outputs unlike its outputs', FORMS, setInt('split', 'num_outputs', 5), /Split node 'split': its attribute num_outputs \(5\) must equal the node's 2 outputs/],
  ['Split with neither num_outputs nor sizes', FORMS, drop('split', 'num_outputs'), /Split node 'split': its attribute num_outputs is missing and no split sizes are given/],
  ['inference BatchNorm with training outputs', 'test/fixtures/torch/resnet/model.onnx', setInt('/layer2/bn1/BatchNormalization', 'training_mode', 0), /BatchNormalization node '\/layer2\/bn1\/BatchNormalization': its attribute training_mode is 0 \(inference\), but the node has 3 outputs/],
  ['a Resize nearest_mode that does not exist', 'test/fixtures/torch/acts/model.onnx', (m) => { nodeOf(m, '/Resize_1').attributes.set('nearest_mode', { type: 'string', value: 'Sigmoid' }); }, /Resize node '\/Resize_1': its attribute nearest_mode \('Sigmoid'\) must be one of/],
  ['keepdims that leaves Gemm a rank-4 input', FIXED, setInt('/ReduceMean', 'keepdims', 1), /Gemm node '\/fc\/Gemm': its inputs must be matrices \(rank 2\), got \[8, 4, 1, 1\]/],
  ['keepdims neither 0 nor 1', LSTM, setInt('/ReduceMean', 'keepdims', 64), /ReduceMean node '\/ReduceMean': its attribute keepdims must be 0 or 1, got 64/],
  ['a Squeeze of a dim that is not 1', FORMS, setInt('mean', 'keepdims', 0), /Squeeze node 'squeeze': it squeezes axis 1, which has size 3, not 1/],
  ['Reshape allowzero with both 0 and −1 in the target', GRU, setInt('/rnn/Reshape', 'allowzero', 1), /Reshape node '\/rnn\/Reshape': with allowzero set, the target shape \[.*\] may not hold both 0 and −1/],
  ['a LayerNormalization axis past the rank', 'test/fixtures/sweep/small_convnext_op17/model.onnx', setInt('/classifier/classifier.0/LayerNormalization', 'axis', 64), /LayerNormalization node '\/classifier\/classifier.0\/LayerNormalization': axis 64 is out of range for rank 4/],
  ['a MatMul of mismatched inner sizes', 'test/fixtures/torch/mlp/model.onnx', (m) => { const n = m.graph.nodes.find((x) => x.opType === 'Gemm' || x.opType === 'MatMul') as Node; n.attributes.set('transB', { type: 'int', value: 0 }); }, /(Gemm|MatMul) node '.*': it multiplies \[.*\] by \[.*\].*the inner sizes \d+ and \d+ differ/],
];

describe('node checks: models ONNX Runtime refuses, refused at the user\'s node', function () {
  this.timeout(60000);
  for (const [what, file, edit, pattern] of CASES) {
    it(`${what}`, async () => {
      const m = load(file);
      edit(m);
      const bytes = serializeModel(m);
      const ort = await ortVerdict(bytes);
      expect(ort.refused, 'ONNX Runtime runs this model, so the case proves nothing').to.equal(true);
      const v = crsamVerdict(bytes);
      expect(v.outcome, v.message).to.equal('refused');
      expect(v.message).to.match(pattern);
      expect(v.message).to.not.include('\n');
    });
  }

  it('the unedited models load in both', async () => {
    for (const file of new Set(CASES.map((c) => c[1]))) {
      const bytes = serializeModel(load(file));
      expect((await ortVerdict(bytes)).refused, file).to.equal(false);
      expect(crsamVerdict(bytes).outcome, file).to.equal('accepted');
    }
  });
});
