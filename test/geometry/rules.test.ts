// Gradient rules added for Hessian-vector products: ops that appear in our own backward graphs.
import { checkGradient } from '../autodiff/check-gradient';

const ints = (v: number[], dims: number[]) => ({ const: v, dims });

describe('gradient rules for second-order graphs', () => {
  describe('ConvTranspose', () => {
    it('3x3 stride 2 pad 1 output_padding 1, with bias', () => checkGradient('ConvTranspose', [[2, 4, 3, 3], [4, 3, 3, 3], [3]], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }));
    it('1x1 stride 2 (projection shortcut backward)', () => checkGradient('ConvTranspose', [[2, 3, 3, 3], [3, 4, 1, 1]], { strides: [2, 2], output_padding: [1, 1] }));
    it('groups 2, dilation 2', () => checkGradient('ConvTranspose', [[1, 4, 3, 3], [4, 3, 3, 3]], { group: 2, dilations: [2, 2], pads: [1, 1, 1, 1] }));
    it('depthwise, stride 2', () => checkGradient('ConvTranspose', [[2, 3, 3, 3], [3, 1, 3, 3]], { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }));
    it('1-D, asymmetric pads', () => checkGradient('ConvTranspose', [[3, 2, 4], [2, 3, 3]], { strides: [2], pads: [0, 1] }));
  });

  describe('ScatterElements', () => {
    it('axis 0, reduction none (unique indices)', () => checkGradient('ScatterElements', [[3, 4], ints([0, 2, 1, 0, 2, 0, 0, 1], [2, 4]), [2, 4]], { axis: 0 }, { opset: 16 }));
    it('axis 1, reduction add (repeated indices)', () => checkGradient('ScatterElements', [[2, 5], ints([0, 4, 4, 1, 1, 1], [2, 3]), [2, 3]], { axis: 1, reduction: 'add' }, { opset: 16 }));
  });

  describe('ScatterND', () => {
    it('row indices, reduction none', () => checkGradient('ScatterND', [[5, 3], ints([1, 3], [2, 1]), [2, 3]], {}, { opset: 16 }));
    it('row indices, reduction add (repeated rows)', () => checkGradient('ScatterND', [[5, 3], ints([1, 1, 4], [3, 1]), [3, 3]], { reduction: 'add' }, { opset: 16 }));
  });
});
