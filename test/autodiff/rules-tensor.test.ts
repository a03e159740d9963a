import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { backward } from '../../src/autodiff/backward';
import { GraphBuilder } from '../../src/onnx/builder';
import { DataType } from '../../src/onnx/dtype';
import { Attribute, Dim, Graph, Model } from '../../src/onnx/ir';
import { serializeModel } from '../../src/onnx/io';
import { inferShapes } from '../../src/onnx/shape-inference';
import { ConstInput, checkGradient, relErr } from './check-gradient';
import { torchCases } from './torch-cases';

// Exact cases: inputs, upstream gradient and input gradients from PyTorch autograd in float64
// (tools/make_rule_fixtures_tensor.py); the op, attributes and shapes of each case are here.
const torch = torchCases('tensor');

const END = 2 ** 62; // 'to the end' (PyTorch writes INT64_MAX, which a JS number cannot hold exactly)
const ints = (v: number[]): ConstInput => ({ const: v, dims: [v.length] });
const index = (v: number): ConstInput => ({ const: [v], dims: [] });
// AveragePool has no float64 kernel in ORT, so it is checked in float32; it is linear, so finite
// differences are exact up to float32 rounding and the tolerance can be much tighter than the default.
const f32 = { tol: 1e-3 } as const;

describe('gradient rules: tensor ops', () => {
  describe('Transpose', () => {
    it('perm [2, 0, 1]', () => checkGradient('Transpose', [[2, 3, 4]], { perm: [2, 0, 1] }, torch('transpose')));
    it('default perm (reversed axes)', () => checkGradient('Transpose', [[2, 3, 4]]));
  });

  describe('Concat', () => {
    it('axis 1, three inputs of different sizes', () => checkGradient('Concat', [[2, 3], [2, 1], [2, 4]], { axis: 1 }, torch('concat')));
    it('axis 0 (symbolic batch: sizes read at run time)', () => checkGradient('Concat', [[2, 3], [4, 3]], { axis: 0 }));
    it('axis -1', () => checkGradient('Concat', [[2, 2, 3], [2, 2, 2]], { axis: -1 }));
  });

  describe('Slice', () => {
    it('unit steps, negative start, clamped end', () => checkGradient('Slice', [[4, 6], ints([1, -4]), ints([3, END]), ints([0, 1])], {}, torch('slice_unit')));
    it('step -3 (reversed, spread)', () => checkGradient('Slice', [[3, 8], ints([6]), ints([0]), ints([1]), ints([-3])], {}, torch('slice_neg_step')));
    it('step 2 with a negative end on another axis', () => checkGradient('Slice', [[3, 7, 2], ints([1, 0]), ints([7, -1]), ints([1, 0]), ints([2, 1])], {}, torch('slice_step2')));
    it('step -1 over the whole axis', () => checkGradient('Slice', [[3, 7], ints([-1]), ints([-END]), ints([1]), ints([-1])]));
    it('step 2, end clamped (spread tail trimmed)', () => checkGradient('Slice', [[2, 8], ints([1]), ints([100]), ints([-1]), ints([2])]));
    it('whole symbolic batch axis plus a step', () => checkGradient('Slice', [[4, 6], ints([0, 1]), ints([END, 6]), ints([0, 1]), ints([1, 3])]));
    it('a batch-axis slice (symbolic: the scatter fallback)', () => checkGradient('Slice', [[4, 3], ints([1]), ints([3]), ints([0])]));
    it('empty result', () => checkGradient('Slice', [[2, 3], ints([2]), ints([1]), ints([1])]));
  });

  describe('Gather', () => {
    it('scalar index drops the axis (x[:, 1])', () => checkGradient('Gather', [[2, 3, 4], index(1)], { axis: 1 }, torch('gather_scalar')));
    it('negative scalar index, last axis', () => checkGradient('Gather', [[2, 3, 4], index(-1)], { axis: -1 }));
    it('scalar index on the (symbolic) batch axis', () => checkGradient('Gather', [[3, 4], index(1)], { axis: 0 }));
    it('embedding lookup, repeated indices (ScatterND add)', () => checkGradient('Gather', [[5, 3], { const: [0, 4, 4, 1, 0, 2], dims: [2, 3] }], {}, torch('gather_embedding')));
    it('embedding lookup at opset 13 (one-hot GEMM)', () => checkGradient('Gather', [[5, 3], { const: [0, 4, 4, 1, 0, 2], dims: [2, 3] }], {}, torch('gather_embedding', { opset: 13, symbolic: false })));
    it('axis 1, negative index', () => checkGradient('Gather', [[2, 4, 3], ints([3, 0, -1])], { axis: 1 }, torch('gather_axis1')));
    it('axis 1, negative index, opset 13', () => checkGradient('Gather', [[2, 4, 3], ints([3, 0, -1])], { axis: 1 }, { opset: 13 }));
  });

  describe('GatherElements', () => {
    const idx = { const: [0, 2, 2, 1, 0, 0, 1, 2, 2, 0, 1, 1], dims: [3, 4] };
    it('axis 0, repeated indices (ScatterElements add)', () => checkGradient('GatherElements', [[3, 4], idx], { axis: 0 }, torch('gather_elements')));
    it('axis 0 at opset 13 (one-hot)', () => checkGradient('GatherElements', [[3, 4], idx], { axis: 0 }, torch('gather_elements', { opset: 13, symbolic: false })));
    it('axis -1, negative indices, opset 13', () => checkGradient('GatherElements', [[3, 4], { const: [0, 3, 3, 1, 0, 0, 1, 2, 2, 0, 1, -1], dims: [3, 4] }], { axis: -1 }, { opset: 13 }));
  });

  describe('Squeeze / Unsqueeze', () => {
    it('Squeeze, axes input (opset 13)', () => checkGradient('Squeeze', [[2, 1, 3, 1], ints([1, -1])], {}, torch('squeeze', { opset: 13 })));
    it('Squeeze, no axes', () => checkGradient('Squeeze', [[2, 1, 3, 1]]));
    it('Unsqueeze, axes input (opset 13)', () => checkGradient('Unsqueeze', [[2, 3], ints([0, -1])], {}, torch('unsqueeze', { opset: 13 })));
  });

  describe('Expand', () => {
    it('new leading axis and a stretched axis', () => checkGradient('Expand', [[3, 1], ints([2, 3, 4])], {}, torch('expand')));
    it('target smaller than the input (broadcast keeps the input dims)', () => checkGradient('Expand', [[2, 1, 4], ints([3, 1])]));
  });

  describe('Pad', () => {
    it('constant, with a negative pad', () => checkGradient('Pad', [[2, 3, 4], ints([0, 1, -1, 0, 2, 2])], {}, torch('pad_constant')));
    it('constant, opset 13', () => checkGradient('Pad', [[2, 3, 4], ints([0, 1, 2, 0, 2, 0])], {}, { opset: 13 }));
    it('constant, opset 18 axes input', () => checkGradient('Pad', [[2, 4, 5], ints([1, 2, 0, 3]), { const: [0.5], dims: [], dtype: 'float' }, ints([2, -2])], {}, { opset: 18 }));
    it('constant value gets a gradient', () => checkGradient('Pad', [[2, 4], ints([0, 1, 1, 2]), []]));
    it('reflect', () => checkGradient('Pad', [[1, 2, 4, 5], ints([0, 0, 1, 2, 0, 0, 3, 1])], { mode: 'reflect' }, torch('pad_reflect')));
    it('edge', () => checkGradient('Pad', [[1, 2, 4, 5], ints([0, 0, 1, 2, 0, 0, 3, 1])], { mode: 'edge' }, torch('pad_edge')));
    it('reflect on the batch axis', () => checkGradient('Pad', [[3, 4], ints([1, 0, 2, 1])], { mode: 'reflect' }, { symbolic: false }));
  });

  describe('Split', () => {
    it('split input (opset 13), first output seeded', () => checkGradient('Split', [[2, 6], ints([1, 2, 3])], { axis: 1 }, torch('split', { outputs: 3, seedOutputs: [0], opset: 13 })));
    it('all outputs seeded', () => checkGradient('Split', [[2, 6], ints([1, 2, 3])], { axis: 1 }, { outputs: 3, opset: 13 }));
    it('num_outputs, uneven (opset 18)', () => checkGradient('Split', [[2, 7]], { axis: 1, num_outputs: 3 }, { outputs: 3, opset: 18 }));
    it('equal parts on the batch axis, one seeded', () => checkGradient('Split', [[6, 2]], {}, { outputs: 2, seedOutputs: [1], opset: 13 }));
  });

  describe('Tile', () => {
    it('2-D', () => checkGradient('Tile', [[2, 3], ints([2, 3])], {}, torch('tile')));
    it('one tiled axis of three', () => checkGradient('Tile', [[2, 3, 2], ints([1, 2, 1])]));
  });

  describe('MaxPool', () => {
    it('3x3 stride 2 pad 1 (overlapping: scatter-add)', () => checkGradient('MaxPool', [[2, 2, 5, 5]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, torch('max_pool_overlap')));
    it('3x3 stride 2 pad 1 at opset 14 (no scatter-add)', () => checkGradient('MaxPool', [[2, 2, 5, 5]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, torch('max_pool_overlap', { opset: 14 })));
    it('2x2 stride 2 dilation 2 ceil_mode', () => checkGradient('MaxPool', [[1, 2, 6, 6]], { kernel_shape: [2, 2], strides: [2, 2], dilations: [2, 2], ceil_mode: 1 }, torch('max_pool_ceil_dilated')));
    it('2x2 stride 2 (non-overlapping), with the Indices output', () => checkGradient('MaxPool', [[2, 3, 6, 6]], { kernel_shape: [2, 2], strides: [2, 2] }, { outputs: 2 }));
    it('Indices output in storage_order 1 (recomputed)', () => checkGradient('MaxPool', [[1, 2, 5, 4]], { kernel_shape: [2, 2], storage_order: 1 }, { outputs: 2 }));
    it('asymmetric pads, stride 1', () => checkGradient('MaxPool', [[2, 2, 5, 5]], { kernel_shape: [3, 2], pads: [0, 1, 2, 0] }));
    it('auto_pad SAME_UPPER', () => checkGradient('MaxPool', [[1, 2, 5, 5]], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }));
    it('1-D, overlapping, opset 13', () => checkGradient('MaxPool', [[2, 3, 9]], { kernel_shape: [4], strides: [1] }, { opset: 13 }));
    it('ties go to the first maximum (as PyTorch)', () => checkGradient('MaxPool', [[1, 1, 2, 4]], { kernel_shape: [2, 2], strides: [2, 2] }, {
      values: [[0, 0, 1, 1, 0, 0, 1, 1]], symbolic: false, tol: Infinity,
      exact: { dY: [1, 2], grads: [[1, 0, 2, 0, 0, 0, 0, 0]] },
    }));
  });

  describe('AveragePool', () => {
    it('3x3 stride 2 pad 1, count_include_pad 0', () => checkGradient('AveragePool', [[2, 2, 5, 5]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, torch('avg_pool_exclude_pad', f32)));
    it('3x3 stride 2 pad 1, count_include_pad 1', () => checkGradient('AveragePool', [[2, 2, 5, 5]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, torch('avg_pool_include_pad', f32)));
    it('ceil_mode, count_include_pad 0', () => checkGradient('AveragePool', [[1, 2, 6, 6]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, torch('avg_pool_ceil', f32)));
    it('ceil_mode, count_include_pad 1', () => checkGradient('AveragePool', [[1, 2, 6, 6]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, torch('avg_pool_ceil_include_pad', f32)));
    it('2x2 stride 2', () => checkGradient('AveragePool', [[2, 3, 6, 6]], { kernel_shape: [2, 2], strides: [2, 2] }, f32));
    it('asymmetric pads, stride 1', () => checkGradient('AveragePool', [[2, 2, 5, 5]], { kernel_shape: [2, 3], pads: [1, 0, 0, 2], count_include_pad: 1 }, f32));
    it('auto_pad SAME_UPPER, stride 2', () => checkGradient('AveragePool', [[1, 2, 6, 5]], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, f32));
    it('1-D', () => checkGradient('AveragePool', [[2, 3, 9]], { kernel_shape: [3], strides: [2], pads: [1, 1] }, f32));
    it('dilations (opset 19)', () => checkGradient('AveragePool', [[1, 2, 7, 7]], { kernel_shape: [2, 2], dilations: [2, 2], pads: [1, 1, 1, 1] }, { ...f32, opset: 19 }));
  });
});

/** An integer input: a scalar, a 1-D list, or a tensor with its dims; '' skips an optional input. */
type IntInput = number | number[] | { readonly v: number[]; readonly dims: number[] } | '';

/**
 * dX when the op's integer inputs (pads, starts, indices...) are graph inputs, known only at run time,
 * must equal dX when they are constants (that path is checked above against finite differences).
 */
async function runtimeMatchesConstant(op: string, xShape: number[], lists: IntInput[], opts: { attrs?: Record<string, Attribute>; opset?: number; outputs?: number; declared?: Dim[] } = {}): Promise<void> {
  const opset = opts.opset ?? 17;
  const run = async (runtime: boolean, dims?: number[]): Promise<{ dx: Float64Array; dims: number[] }> => {
    const declared = runtime && opts.declared ? opts.declared : xShape; // X's shape as the graph states it
    const graph: Graph = { name: 'runtime', nodes: [], inputs: [{ name: 'x', dtype: DataType.DOUBLE, shape: declared }], outputs: [], initializers: new Map(), valueInfo: new Map() };
    const feeds: Record<string, ort.Tensor> = {};
    const names = lists.map((v, k) => {
      if (v === '') return '';
      const [values, shape] = typeof v === 'number' ? [[v], []] : Array.isArray(v) ? [v, [v.length]] : [v.v, v.dims];
      const data = BigInt64Array.from(values.map(BigInt));
      if (runtime) { graph.inputs.push({ name: `i${k}`, dtype: DataType.INT64, shape }); feeds[`i${k}`] = new ort.Tensor('int64', data, shape); }
      else graph.initializers.set(`i${k}`, { name: `i${k}`, dtype: DataType.INT64, dims: shape, data });
      return `i${k}`;
    });
    const outputs = Array.from({ length: opts.outputs ?? 1 }, (_, i) => (i === 0 ? 'y' : `y${i}`));
    graph.nodes.push({ opType: op, domain: '', name: 'under_test', inputs: ['x', ...names], outputs, attributes: new Map(Object.entries(opts.attrs ?? {})) });
    const facts = inferShapes(graph, opset);
    const yShape = facts.get('y')?.shape;
    graph.inputs.push({ name: 'dy', dtype: DataType.DOUBLE, shape: yShape });
    facts.set('dy', { dtype: DataType.DOUBLE, shape: yShape });
    const b = new GraphBuilder(graph, opset, facts, 'bw_');
    const g = backward(b, [...graph.nodes], { wrt: ['x'], seeds: new Map([['y', 'dy']]) }).get('x') as string;
    graph.outputs = [{ name: g, dtype: DataType.DOUBLE, shape: declared }, { name: 'y', dtype: DataType.DOUBLE, shape: yShape }];
    const model: Model = { irVersion: 8, opsetImports: [{ domain: '', version: opset }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(), graph };
    const session = await ort.InferenceSession.create(serializeModel(model));
    const yDims = dims ?? (yShape as number[]);
    const n = xShape.reduce((p, d) => p * d, 1);
    const m = yDims.reduce((p, d) => p * d, 1);
    feeds.x = new ort.Tensor('float64', Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1)), xShape);
    feeds.dy = new ort.Tensor('float64', Float64Array.from({ length: m }, (_, i) => Math.cos(3 * i + 1)), yDims);
    const out = await session.run(feeds);
    return { dx: out[g].data as Float64Array, dims: [...out.y.dims] };
  };
  const constant = await run(false);
  const runtime = await run(true, constant.dims);
  expect(relErr(runtime.dx, constant.dx), `${op}: runtime vs constant integer inputs`).to.be.below(1e-12);
}

describe('gradient rules: tensor ops with integer inputs known only at run time', () => {
  const axis = (v: number) => ({ axis: { type: 'int', value: v } as Attribute });
  it('Pad (constant mode: a Pad by −pads)', () => runtimeMatchesConstant('Pad', [2, 3, 4], [[0, 1, -1, 0, 2, 2]]));
  it('Pad with axes (opset 18)', () => runtimeMatchesConstant('Pad', [2, 4, 5], [[1, 2, 0, 3], '', [2, -2]], { opset: 18 }));
  it('Slice (scatter of flat indices)', () => runtimeMatchesConstant('Slice', [3, 8, 2], [[6, 0], [0, -1], [1, 2], [-3, 1]]));
  it('Gather, scalar index (ScatterND)', () => runtimeMatchesConstant('Gather', [2, 3, 4], [1], { attrs: axis(1) }));
  it('Gather, negative scalar index, opset 13 (one-hot)', () => runtimeMatchesConstant('Gather', [2, 3, 4], [-1], { attrs: axis(1), opset: 13 }));
  it('Gather, index tensor', () => runtimeMatchesConstant('Gather', [5, 3], [{ v: [4, 0, 4, -1], dims: [2, 2] }]));
  it('GatherElements, negative indices', () => runtimeMatchesConstant('GatherElements', [3, 4], [{ v: [0, 2, 2, 1, 0, -1, 1, 2], dims: [2, 4] }]));
  it('Expand (target unknown: the rank comes from its length)', () => runtimeMatchesConstant('Expand', [3, 1], [[2, 3, 4]]));
  it('Expand of an input with dims of unknown size (stretched or not)', () => runtimeMatchesConstant('Expand', [3, 1], [[2, 3, 4]], { declared: [null, null] }));
  it('Expand, same rank, unknown input dims', () => runtimeMatchesConstant('Expand', [1, 4, 1], [[3, 4, 2]], { declared: [null, 'C', null] }));
  it('Split (sizes unknown)', () => runtimeMatchesConstant('Split', [2, 6], [[4, 2]], { attrs: axis(1), outputs: 2 }));
  it('Squeeze / Unsqueeze (axes unknown: reshape back)', async () => {
    await runtimeMatchesConstant('Squeeze', [2, 1, 3, 1], [[1, 3]]);
    await runtimeMatchesConstant('Unsqueeze', [2, 3], [[0, 3]]);
  });
});
