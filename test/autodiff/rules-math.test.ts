import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { backward } from '../../src/autodiff/backward';
import { GraphBuilder } from '../../src/onnx/builder';
import { DataType } from '../../src/onnx/dtype';
import { Graph, Model } from '../../src/onnx/ir';
import { serializeModel } from '../../src/onnx/io';
import { inferShapes } from '../../src/onnx/shape-inference';
import { ConstInput, checkGradient } from './check-gradient';
import { torchCases } from './torch-cases';

// Exact cases: inputs, upstream gradient and input gradients from PyTorch autograd in float64
// (tools/make_rule_fixtures_math.py).
const torch = torchCases('math');

const scalar = (v: number): ConstInput => ({ const: [v], dims: [], dtype: 'float' });
const axes = (a: number[]): ConstInput => ({ const: a, dims: [a.length] });
const positive = { range: [0.5, 2] } as const;

describe('gradient rules: math', () => {
  describe('elementwise', () => {
    it('LeakyRelu alpha 0.1', () => checkGradient('LeakyRelu', [[2, 3]], { alpha: 0.1 }, torch('LeakyRelu')));
    it('LeakyRelu default alpha', () => checkGradient('LeakyRelu', [[3, 4]]));
    it('Sigmoid', () => checkGradient('Sigmoid', [[2, 3]], {}, torch('Sigmoid')));
    it('Tanh', () => checkGradient('Tanh', [[2, 3]], {}, torch('Tanh')));
    it('Erf', () => checkGradient('Erf', [[2, 3]], {}, torch('Erf')));
    it('Gelu (opset 20, exact erf form)', () => checkGradient('Gelu', [[2, 3]], {}, torch('Gelu', { opset: 20 })));
    it('Gelu approximate tanh', () => checkGradient('Gelu', [[2, 3]], { approximate: 'tanh' }, torch('GeluTanh', { opset: 20 })));
    it('Gelu random inputs', () => checkGradient('Gelu', [[3, 5]], {}, { opset: 20, range: [-3, 3] }));
    it('Pow with a broadcast tensor exponent (base and exponent gradients)', () => checkGradient('Pow', [[2, 3], [3]], {}, torch('PowTensor')));
    it('Pow tensor exponent, random', () => checkGradient('Pow', [[3, 4], [3, 1]], {}, positive));
    it('Pow constant exponent 2', () => checkGradient('Pow', [[2, 3], scalar(2)], {}, torch('PowSquare')));
    it('Pow constant exponent 0.5', () => checkGradient('Pow', [[2, 3], scalar(0.5)], {}, torch('PowSqrt')));
    it('Pow constant int64 exponent 3', () => checkGradient('Pow', [[2, 3], { const: [3], dims: [] }], {}, torch('PowCube')));
    it('Sqrt', () => checkGradient('Sqrt', [[2, 3]], {}, torch('Sqrt')));
    it('Sqrt random', () => checkGradient('Sqrt', [[4, 5]], {}, positive));
    it('Exp', () => checkGradient('Exp', [[2, 3]], {}, torch('Exp')));
    it('Log', () => checkGradient('Log', [[2, 3]], {}, torch('Log')));
    it('Log random', () => checkGradient('Log', [[4, 5]], {}, positive));
    it('Reciprocal', () => checkGradient('Reciprocal', [[2, 3]], {}, torch('Reciprocal')));
    it('Abs', () => checkGradient('Abs', [[2, 3]], {}, torch('Abs')));
    it('Clip with min and max inputs (gradients for all three)', () => checkGradient('Clip', [[2, 3], [], []], {}, torch('Clip', { opset: 13 })));
    it('Clip with min only', () => checkGradient('Clip', [[2, 3], []], {}, torch('ClipMin')));
    it('Clip with constant bounds', () => checkGradient('Clip', [[3, 4], scalar(-0.5), scalar(0.5)]));
    it('Where (broadcast, no gradient for the condition)', () => checkGradient('Where', [{ const: [1, 0, 1, 0, 0, 1], dims: [2, 3], dtype: 'bool' }, [2, 3], [3]], {}, torch('Where')));
    it('Cast float64 → float64', () => checkGradient('Cast', [[2, 3]], { to: DataType.DOUBLE }, torch('Cast')));
    it('CastLike', () => checkGradient('CastLike', [[2, 3], { const: [0], dims: [1], dtype: 'float' }]));
    it('Cast float64 → float32 casts the gradient back; through int64 none flows', castAcrossTypes);
    it('Max broadcast, with a tie', () => checkGradient('Max', [[2, 3], [3]], {}, torch('Max')));
    it('Min broadcast, with a tie', () => checkGradient('Min', [[2, 3], [3]], {}, torch('Min')));
    it('Max of three inputs', () => checkGradient('Max', [[2, 3], [3], [2, 1]]));
    it('Sum of three broadcast inputs', () => checkGradient('Sum', [[2, 3], [3], [2, 1]], {}, torch('Sum')));
  });

  describe('softmax', () => {
    it('Softmax default axis (-1)', () => checkGradient('Softmax', [[2, 3, 4]], {}, torch('Softmax')));
    it('Softmax axis 1', () => checkGradient('Softmax', [[2, 3, 4]], { axis: 1 }, torch('SoftmaxAxis1')));
    it('Softmax axis -2', () => checkGradient('Softmax', [[2, 3, 4]], { axis: -2 }));
    it('LogSoftmax default axis (-1)', () => checkGradient('LogSoftmax', [[2, 3, 4]], {}, torch('LogSoftmax')));
    it('LogSoftmax axis 0', () => checkGradient('LogSoftmax', [[2, 3, 4]], { axis: 0 }, torch('LogSoftmaxAxis0')));
    it('LogSoftmax axis -2, opset 18', () => checkGradient('LogSoftmax', [[2, 3, 4]], { axis: -2 }, { opset: 18 }));
  });

  describe('LayerNormalization', () => {
    it('axis -1 with bias', () => checkGradient('LayerNormalization', [[2, 3, 4], [4], [4]], { epsilon: 1e-5 }, torch('LayerNorm')));
    it('axis 1 without bias', () => checkGradient('LayerNormalization', [[2, 3, 4], [3, 4]], { axis: 1, epsilon: 1e-3 }, torch('LayerNormAxis1')));
    it('axis -1, opset 18', () => checkGradient('LayerNormalization', [[3, 5], [5], [5]], {}, { opset: 18 }));
    it('float32: reuses the forward statistics (added as outputs)', () => checkGradient('LayerNormalization', [[2, 3, 4], [4], [4]], {}, torch('LayerNorm', { float32: true })));
    it('float32: through the Mean and InvStdDev outputs too', () => checkGradient('LayerNormalization', [[2, 3, 4], [3, 4]], { axis: 1 }, { float32: true, outputs: 3 }));
  });

  describe('reductions', () => {
    it('ReduceMean axes attribute (opset 13), keepdims 0', () => checkGradient('ReduceMean', [[2, 3, 4]], { axes: [1], keepdims: 0 }, torch('ReduceMean', { opset: 13 })));
    it('ReduceMean axes attribute (opset 13), keepdims 1', () => checkGradient('ReduceMean', [[2, 3, 4]], { axes: [0, 2] }, torch('ReduceMeanKeep', { opset: 13 })));
    it('ReduceMean axes input (opset 18), keepdims 0', () => checkGradient('ReduceMean', [[2, 3, 4], axes([1])], { keepdims: 0 }, torch('ReduceMean', { opset: 18 })));
    it('ReduceMean axes input (opset 18), keepdims 1, negative axis', () => checkGradient('ReduceMean', [[2, 3, 4], axes([0, -1])], { keepdims: 1 }, torch('ReduceMeanKeep', { opset: 18 })));
    it('ReduceMean over all axes, keepdims 0', () => checkGradient('ReduceMean', [[2, 3, 4]], { keepdims: 0 }, torch('ReduceMeanAll', { opset: 18 })));
    it('ReduceMean noop_with_empty_axes', () => checkGradient('ReduceMean', [[2, 3]], { noop_with_empty_axes: 1 }, { opset: 18 }));
    it('ReduceMean over a symbolic batch dim', () => checkGradient('ReduceMean', [[4, 3], axes([0])], { keepdims: 0 }, { opset: 18 }));
    it('ReduceSum axes input (opset 13), keepdims 0', () => checkGradient('ReduceSum', [[2, 3, 4], axes([0, 2])], { keepdims: 0 }, torch('ReduceSum', { opset: 13 })));
    it('ReduceSum axes input, keepdims 1', () => checkGradient('ReduceSum', [[2, 3, 4], axes([-1])], {}, torch('ReduceSumKeep')));
    it('ReduceSum noop_with_empty_axes', () => checkGradient('ReduceSum', [[2, 3]], { noop_with_empty_axes: 1 }));
    it('ReduceMax with a tie (axes attribute, keepdims 0)', () => checkGradient('ReduceMax', [[2, 3]], { axes: [1], keepdims: 0 }, torch('ReduceMax', { opset: 13 })));
    it('ReduceMin with a tie (axes input, keepdims 1)', () => checkGradient('ReduceMin', [[2, 3], axes([1])], {}, torch('ReduceMin', { opset: 18 })));
    it('ReduceMax random, two axes', () => checkGradient('ReduceMax', [[2, 3, 4], axes([0, 2])], { keepdims: 0 }, { opset: 18 }));
  });
});

/** Cast between float types hands the gradient back in the input's type; a trip through int64 stops it. */
async function castAcrossTypes(): Promise<void> {
  const graph: Graph = {
    name: 'cast', nodes: [], outputs: [], initializers: new Map(), valueInfo: new Map(),
    inputs: [{ name: 'x', dtype: DataType.DOUBLE, shape: [2, 3] }, { name: 'dy', dtype: DataType.FLOAT, shape: [2, 3] }, { name: 'dz', dtype: DataType.DOUBLE, shape: [2, 3] }],
  };
  const cast = (input: string, output: string, to: DataType) => graph.nodes.push({ opType: 'Cast', domain: '', name: output, inputs: [input], outputs: [output], attributes: new Map([['to', { type: 'int', value: to }]]) });
  cast('x', 'y', DataType.FLOAT);
  cast('x', 'i', DataType.INT64);
  cast('i', 'z', DataType.DOUBLE);
  const facts = inferShapes(graph, 17);
  const b = new GraphBuilder(graph, 17, facts, 'bw_');
  const forward = [...graph.nodes];
  expect(backward(b, forward, { wrt: ['x'], seeds: new Map([['z', 'dz']]) }).get('x'), 'no gradient through int64').to.equal(undefined);
  const g = backward(b, forward, { wrt: ['x'], seeds: new Map([['y', 'dy']]) }).get('x') as string;
  expect(b.fact(g).dtype).to.equal(DataType.DOUBLE);
  graph.outputs = [{ name: g, dtype: DataType.DOUBLE, shape: [2, 3] }];
  const model: Model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(), graph };
  const session = await ort.InferenceSession.create(serializeModel(model));
  const dy = Float32Array.of(0.5, -1.25, 2, 0.1, -3, 7);
  const out = await session.run({ x: new ort.Tensor('float64', new Float64Array(6), [2, 3]), dy: new ort.Tensor('float32', dy, [2, 3]), dz: new ort.Tensor('float64', new Float64Array(6), [2, 3]) });
  expect(Array.from(out[g].data as Float64Array)).to.deep.equal(Array.from(dy));
}
