// Reductions (opset-13 axes attributes and opset-18 axes inputs), CumSum, TopK, Mean/Max/Min of
// several inputs, and Resize as PyTorch exports it: finite differences through onnxruntime,
// PyTorch's exact gradients, and a symbolic batch.
import { expect } from 'chai';
import { ConstInput, checkGradient } from './check-gradient';
import { torchCase } from './torch-cases';
import { GRADIENT_RULES } from '../../src/autodiff/registry';
import { AutodiffError } from '../../src/autodiff/types';

/** The rule refuses with a one-sentence AutodiffError mentioning `what`. */
async function refuses(what: RegExp, run: () => Promise<unknown>): Promise<void> {
  let error: unknown;
  try { await run(); } catch (e) { error = e; }
  expect(error).to.be.instanceOf(AutodiffError);
  expect((error as Error).message).to.match(what);
}

const axes = (a: number[]): ConstInput => ({ const: a, dims: [a.length] });
const ints = (a: number[]): ConstInput => ({ const: a, dims: [a.length] });
const scalarInt = (v: number): ConstInput => ({ const: [v], dims: [] });
const floats = (a: number[]): ConstInput => ({ const: a, dims: [a.length], dtype: 'float' });
const noRoi: ConstInput = { const: [], dims: [0], dtype: 'float' };

/** The same reduction at opset 13 (axes attribute) and 18 (axes input); ReduceSum* takes no attribute form past 12. */
function bothForms(op: string, shape: number[], ax: number[], keepdims: number, name?: string): void {
  for (const opset of [13, 18]) {
    const c = name ? torchCase(name, { opset }) : { opset };
    it(`${op} axes [${ax.join(', ')}] keepdims ${keepdims}, opset ${opset}${name ? '' : ', random'}`, () => (opset === 13
      ? checkGradient(op, [shape], { axes: ax, keepdims }, c)
      : checkGradient(op, [shape, axes(ax)], { keepdims }, c)));
  }
}

describe('gradient rules: reductions and selections', () => {
  describe('reductions', () => {
    bothForms('ReduceL1', [2, 3], [1], 0, 'ReduceL1');
    bothForms('ReduceL1', [2, 3, 4], [0, 2], 1, 'ReduceL1Keep');
    bothForms('ReduceL2', [2, 3, 4], [1], 0, 'ReduceL2');
    bothForms('ReduceL2', [2, 3], [1], 1, 'ReduceL2ZeroRow');
    it('ReduceSumSquare axes attribute (opset 13), keepdims 0', () => checkGradient('ReduceSumSquare', [[2, 3, 4]], { axes: [0, 2], keepdims: 0 }, torchCase('ReduceSumSquare', { opset: 13 })));
    bothForms('ReduceSumSquare', [2, 3, 4], [0, 2], 0, 'ReduceSumSquare');
    bothForms('ReduceLogSumExp', [2, 3, 4], [1], 0, 'ReduceLogSumExp');
    bothForms('ReduceLogSumExp', [3, 4, 5], [0, -1], 1);
    it('ReduceLogSumExp of inputs up to ±40 stays finite', () => checkGradient('ReduceLogSumExp', [[2, 3, 4], axes([-1])], { keepdims: 1 }, torchCase('ReduceLogSumExpKeep', { opset: 18 })));
    bothForms('ReduceProd', [2, 3, 4], [0, 2], 0, 'ReduceProd');
    bothForms('ReduceProd', [3, 3], [1], 1, 'ReduceProdZeros');
    it('ReduceProd over all axes, random', () => checkGradient('ReduceProd', [[2, 3]], { keepdims: 0 }, { opset: 18, range: [0.5, 1.5] }));
    bothForms('ReduceMin', [2, 3, 4], [1], 0);
  });

  describe('CumSum', () => {
    it('axis 1', () => checkGradient('CumSum', [[2, 3, 4], scalarInt(1)], {}, torchCase('CumSum')));
    it('exclusive, axis −1', () => checkGradient('CumSum', [[2, 3, 4], scalarInt(-1)], { exclusive: 1 }, torchCase('CumSumExclusive')));
    it('reverse, axis 0', () => checkGradient('CumSum', [[2, 3, 4], scalarInt(0)], { reverse: 1 }, torchCase('CumSumReverse')));
    it('reverse and exclusive, axis 2, opset 21', () => checkGradient('CumSum', [[2, 3, 4], scalarInt(2)], { reverse: 1, exclusive: 1 }, torchCase('CumSumReverseExclusive', { opset: 21 })));
  });

  describe('TopK', () => {
    it('largest, sorted, axis 1 (gradient to the values only)', () => checkGradient('TopK', [[2, 3, 4], ints([2])], { axis: 1 }, torchCase('TopK', { outputs: 2 })));
    it('smallest, axis −1, opset 13', () => checkGradient('TopK', [[2, 3, 4], ints([3])], { largest: 0 }, torchCase('TopKSmallest', { outputs: 2, opset: 13 })));
    it('ArgMax, ArgMin and NonZero are marked as carrying no gradient', () => {
      for (const op of ['ArgMax', 'ArgMin', 'NonZero']) expect(GRADIENT_RULES[op], op).to.equal('no-gradient');
    });
  });

  describe('Mean / Max / Min of several inputs', () => {
    it('Mean of three broadcast inputs', () => checkGradient('Mean', [[2, 3, 4], [4], [3, 1]], {}, torchCase('Mean3')));
    it('Mean of one input (opset 13)', () => checkGradient('Mean', [[2, 3]], {}, { opset: 13 }));
    it('Max of three broadcast inputs with ties shared evenly, as torch.maximum', () => checkGradient('Max', [[2, 3], [3], [2, 1]], {}, torchCase('Max3')));
    it('Min of three broadcast inputs with ties, opset 13', () => checkGradient('Min', [[2, 3], [3], [2, 1]], {}, torchCase('Min3', { opset: 13 })));
  });

  describe('Resize (as torch.nn.functional.interpolate exports it)', () => {
    const nearest = { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    const linear = (ctm: string) => ({ mode: 'linear', coordinate_transformation_mode: ctm });
    for (const opset of [13, 18, 21]) {
      it(`nearest, scale 2, opset ${opset}`, () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([1, 1, 2, 2])], nearest, torchCase('ResizeNearest2x', { opset })));
      it(`bilinear (half_pixel), scale 2, opset ${opset}`, () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([1, 1, 2, 2])], linear('half_pixel'), torchCase('ResizeBilinear2x', { opset })));
    }
    it('bilinear, scale 1.5', () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([1, 1, 1.5, 1.5])], linear('half_pixel'), torchCase('ResizeBilinear1_5x')));
    it('bilinear align_corners, sizes (5, 7)', () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([]), ints([2, 3, 5, 7])], linear('align_corners'), torchCase('ResizeBilinearAlignSize', { symbolic: false })));
    it('nearest, sizes (5, 7), opset 17', () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([]), ints([2, 3, 5, 7])], nearest, torchCase('ResizeNearestSize', { opset: 17, symbolic: false })));
    it('bilinear downsampling to (3, 2)', () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([]), ints([2, 3, 3, 2])], linear('half_pixel'), torchCase('ResizeBilinearDown', { symbolic: false })));
    it('linear 1-D, scale 2, opset 19 with axes [2] and pytorch_half_pixel', () => checkGradient('Resize', [[2, 3, 5], noRoi, floats([2])], { ...linear('pytorch_half_pixel'), axes: [2] }, torchCase('ResizeLinear1d', { opset: 19 })));
    it('cubic mode is refused with a user-facing error', () => refuses(/mode 'cubic'/, () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([1, 1, 2, 2])], { mode: 'cubic' })));
    it('a resized axis of unknown size is refused with a user-facing error', () => refuses(/axis 0, whose size is not static/, () => checkGradient('Resize', [[2, 3, 4, 5], noRoi, floats([2, 1, 1, 1])], nearest, { symbolic: true })));
    it('nearest round_prefer_ceil, half_pixel, scale 1.5 (ONNX default modes), random', () => checkGradient('Resize', [[2, 2, 3, 4], noRoi, floats([1, 1, 1.5, 0.5])], { mode: 'nearest', nearest_mode: 'round_prefer_ceil' }));
  });
});
