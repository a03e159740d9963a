import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import * as protobuf from 'protobufjs';
import { attr } from '../../src/onnx/attr';
import { GraphBuilder } from '../../src/onnx/builder';
import { DataType } from '../../src/onnx/dtype';
import { Graph } from '../../src/onnx/ir';
import { serializeModel } from '../../src/onnx/io';
import { ONNX_PROTO } from '../../src/onnx/onnx-schema';
import type { onnx } from '../../src/onnx/onnx-proto';
import { inferShapes } from '../../src/onnx/shape-inference';

const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

describe('typed attributes of built nodes', () => {
  it('alpha: attr.float(1.0) on LeakyRelu and Elu is a FLOAT attribute in the file, and ONNX Runtime takes it', async () => {
    const graph: Graph = {
      name: 'g', nodes: [], initializers: new Map(), valueInfo: new Map(),
      inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: [2, 3] }], outputs: [],
    };
    const b = new GraphBuilder(graph, 17, inferShapes(graph, 17));
    const y = b.op('Elu', [b.op('LeakyRelu', ['x'], { alpha: attr.float(1.0) })], { alpha: attr.float(1) });
    graph.outputs.push({ name: y, dtype: DataType.FLOAT, shape: [2, 3] });
    const bytes = serializeModel({
      irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 't', producerVersion: '', domain: '',
      modelVersion: 0, docString: '', metadataProps: new Map(), graph,
    });
    const m = ModelProto.decode(bytes) as unknown as onnx.IModelProto;
    const alphas = (m.graph?.node ?? []).map((n) => n.attribute?.find((a) => a.name === 'alpha'));
    expect(alphas.map((a) => [a?.type, a?.f])).to.deep.equal([[1, 1], [1, 1]]); // AttributeProto.FLOAT = 1
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(-1, 0, 1, -2, 2, 0.5), [2, 3]) });
    // LeakyRelu(α=1) is the identity, then Elu(α=1): e^x − 1 below zero.
    const got = Array.from(out[y].data as Float32Array);
    [-1, 0, 1, -2, 2, 0.5].forEach((v, i) => expect(got[i]).to.be.closeTo(v < 0 ? Math.expm1(v) : v, 1e-6));
    await session.release();
  });

  it('refuses a fraction where an INT attribute is declared', () => {
    expect(() => attr.int(0.5)).to.throw(/not a whole number/);
    expect(() => attr.ints([1, 2.5])).to.throw(/has a fraction/);
  });
});
