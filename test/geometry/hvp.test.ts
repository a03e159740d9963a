// The exact Hessian-vector-product graph: exact on a quadratic ONNX model with a known Hessian,
// and equal to central differences of gradients on smooth models (every op of our backward graphs
// differentiated again: conv with stride and groups, BatchNorm, max-pool, attention, GELU...).
import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { Rng } from '../../src/core/rng';
import { buildHvpGraph, pruneDeadNodes } from '../../src/geometry/hvp-graph';
import { finiteDifferenceHvp } from '../../src/geometry/oracle';
import { OrtGeometryOracle } from '../../src/geometry/ort-geometry-oracle';
import { fillGaussian } from '../../src/geometry/probes';
import { GraphBuilder } from '../../src/onnx/builder';
import { DataType } from '../../src/onnx/dtype';
import { Graph, Model } from '../../src/onnx/ir';
import { loadModel, serializeModel } from '../../src/onnx/io';
import { inferShapes } from '../../src/onnx/shape-inference';
import { Batch } from '../../src/runtime/batch';
import { Net } from '../../src/zoo/net';
import { relErr } from '../autodiff/check-gradient';
import { loadTorchFixture } from '../torch-fixture';
import { attr } from '../../src/onnx/attr';

function modelOf(graph: Graph): Model {
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(), graph };
}

/** loss = ½ xᵀAx + bᵀx with x = [w1; vec(w2)]: H = (A + Aᵀ)/2 exactly, whatever w. */
function quadraticModel(a: Float32Array, bias: Float32Array): Model {
  const graph: Graph = { name: 'quadratic', nodes: [], inputs: [{ name: 'w1', dtype: DataType.FLOAT, shape: [3] }, { name: 'w2', dtype: DataType.FLOAT, shape: [2, 2] }], outputs: [], initializers: new Map(), valueInfo: new Map() };
  const b = new GraphBuilder(graph, 17, inferShapes(graph, 17));
  const x = b.op('Concat', [b.op('Identity', ['w1']), b.reshape('w2', [4])], { axis: attr.int(0) });
  const A = b.initializer('A', DataType.FLOAT, [7, 7], a);
  const quad = b.op('Mul', [b.op('MatMul', [x, b.op('MatMul', [A, x])]), b.scalar(0.5)]);
  const lin = b.reduce('ReduceSum', b.op('Mul', [x, b.initializer('bias', DataType.FLOAT, [7], bias)]), [0], false);
  b.node('Add', [quad, lin], {}, { outputNames: ['loss'] });
  graph.outputs = [{ name: 'loss', dtype: DataType.FLOAT, shape: [] }];
  return modelOf(graph);
}

/** A smooth convnet (tanh, no ReLU kinks): strided conv, BatchNorm, max-pool, depthwise conv, global pool, linear. */
function smoothConvNet(): Model {
  const net = new Net({ inputSize: 8, channels: 2, numClasses: 3, seed: 5, initialize: true }, { family: 'test', name: 'smooth', description: 'test', options: {} });
  let x = net.b.op('Tanh', [net.batchNorm(net.conv(net.input, 'conv1', 4, 3, { stride: 2, pad: 1 }), 'bn1')]);
  x = net.maxPool(x, 2, 2);
  const dw = net.param('dw.weight', [4, 1, 3, 3], { kind: 'normal', std: 0.5 });
  x = net.b.op('Tanh', [net.b.op('Conv', [x, dw], { group: attr.int(4), pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([3, 3]) })]);
  return net.finish(net.linear(net.globalPool(x), 'fc', 3, { output: 'logits' }));
}

function randomBatch(rng: Rng, n: number, dims: number[], classes: number, input = 'input'): Batch {
  const data = new Float32Array(n * dims.reduce((a, c) => a * c, 1));
  fillGaussian(rng, data);
  return { inputs: { [input]: { data, dims: [n, ...dims] } }, labels: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % classes)) };
}

async function exactVsDifference(oracle: OrtGeometryOracle, w: Float32Array, step: number, seed = 1): Promise<number> {
  const v = new Float32Array(oracle.size);
  fillGaussian(new Rng(seed), v);
  const exact = new Float32Array(v.length);
  const fd = new Float32Array(v.length);
  await oracle.hvp(w, v, exact);
  await finiteDifferenceHvp(oracle, w, v, fd, step);
  return relErr(fd, exact);
}

describe('exact Hessian-vector products', () => {
  it('are exact on a quadratic (Hv = ½(A + Aᵀ)v across two parameter tensors)', async () => {
    const rng = new Rng(7);
    const a = Float32Array.from({ length: 49 }, () => Math.round(4 * rng.nextGaussian()));
    const bias = Float32Array.from({ length: 7 }, () => Math.round(2 * rng.nextGaussian()));
    const spec = { loss: 'loss', params: [{ name: 'w1', dims: [3] }, { name: 'w2', dims: [2, 2] }] };
    const built = buildHvpGraph(quadraticModel(a, bias), spec);
    const session = await ort.InferenceSession.create(serializeModel(built.model));
    const w1 = Float32Array.of(0.5, -1, 2);
    const w2 = Float32Array.of(1, 0.25, -0.5, 3);
    const v = Float32Array.of(1, -2, 0.5, 3, -1, 0, 2);
    const out = await session.run({ w1: new ort.Tensor('float32', w1, [3]), w2: new ort.Tensor('float32', w2, [2, 2]), [built.vs[0]]: new ort.Tensor('float32', v.slice(0, 3), [3]), [built.vs[1]]: new ort.Tensor('float32', v.slice(3), [2, 2]) });
    const hv = [...(out[built.hvs[0]].data as Float32Array), ...(out[built.hvs[1]].data as Float32Array)];
    const want = Array.from({ length: 7 }, (_, i) => { let s = 0; for (let j = 0; j < 7; j++) s += 0.5 * (a[i * 7 + j] + a[j * 7 + i]) * v[j]; return s; });
    expect(hv).to.deep.equal(want);
    await session.release();
  });

  it('graphs keep only the nodes and constants their outputs need', () => {
    const graph: Graph = { name: 'g', nodes: [], inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: [2] }], outputs: [], initializers: new Map(), valueInfo: new Map() };
    const b = new GraphBuilder(graph, 17, inferShapes(graph, 17));
    const y = b.op('Mul', ['x', b.initializer('two', DataType.FLOAT, [], Float32Array.of(2))]);
    b.op('Exp', [b.op('Add', ['x', b.initializer('dead', DataType.FLOAT, [], Float32Array.of(1))])]);
    graph.outputs = [{ name: y, dtype: DataType.FLOAT, shape: [2] }];
    pruneDeadNodes(graph);
    expect(graph.nodes.map((n) => n.opType)).to.deep.equal(['Mul']);
    expect([...graph.initializers.keys()]).to.deep.equal(['two']);
  });

  it('agree with central differences on a smooth convnet (strided conv, BatchNorm, max-pool, depthwise conv)', async () => {
    const art = buildArtifacts(smoothConvNet());
    const oracle = new OrtGeometryOracle(art, { threads: 2 });
    const rng = new Rng(3);
    const stats = new Map(art.buffers.map((b) => [b.name, Float32Array.from({ length: b.dims[0] }, () => (b.name.endsWith('var') ? 0.5 + rng.nextFloat() : 0.2 * rng.nextGaussian()))]));
    oracle.setBuffers(stats);
    oracle.setBatches([randomBatch(rng, 4, [2, 8, 8], 3), randomBatch(rng, 3, [2, 8, 8], 3)]);
    expect(await exactVsDifference(oracle, oracle.initialWeights(), 1e-3)).to.be.below(1e-3);
    await oracle.close();
  });

  it('agree with central differences on the ViT fixture (attention, LayerNorm, GELU, Gather)', async () => {
    const fx = loadTorchFixture('vit');
    const art = buildArtifacts(loadModel(fx.modelPath));
    const oracle = new OrtGeometryOracle(art, { threads: 2 });
    const x = fx.f32('grad/input');
    oracle.setBatches([{ inputs: { [art.dataInputs[0].name]: { data: x.data, dims: x.dims } }, labels: fx.i64('grad/labels').data }]);
    expect(await exactVsDifference(oracle, oracle.initialWeights(), 1e-2)).to.be.below(1e-3);
    await oracle.close();
  });
});
