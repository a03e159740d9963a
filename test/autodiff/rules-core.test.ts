import { checkGradient } from './check-gradient';

describe('gradient rules: core', () => {
  it('Add broadcasts', () => checkGradient('Add', [[3, 4], [4]]));
  it('Sub broadcasts', () => checkGradient('Sub', [[3, 1, 4], [2, 1]]));
  it('Mul broadcasts', () => checkGradient('Mul', [[2, 3, 4], [3, 1]]));
  it('Div broadcasts', () => checkGradient('Div', [[2, 3], [3]], {}, { range: [0.5, 2] }));
  it('Neg', () => checkGradient('Neg', [[2, 3]]));
  it('Relu', () => checkGradient('Relu', [[4, 5]], {}, {
    values: [[-2, -1, 0.5, 2, -0.25, 1, 3, -3, 0.1, -0.1, 1, 2, 3, 4, 5, -1, -2, -3, -4, -5]],
    exact: { dY: new Array<number>(20).fill(1), grads: [[0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]] },
  }));
  it('MatMul 2-D', () => checkGradient('MatMul', [[3, 4], [4, 5]], {}, {
    values: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], new Array<number>(20).fill(0).map((_, i) => i / 10)],
  }));
  it('MatMul batched with a shared 2-D weight', () => checkGradient('MatMul', [[2, 3, 4], [4, 5]]));
  it('MatMul batched both sides, broadcast batch', () => checkGradient('MatMul', [[2, 3, 4], [1, 4, 2]]));
  it('MatMul with a 1-D right operand', () => checkGradient('MatMul', [[2, 3, 4], [4]]));
  it('MatMul with a 1-D left operand', () => checkGradient('MatMul', [[4], [2, 4, 3]], {}, { symbolic: false }));
  it('Gemm', () => checkGradient('Gemm', [[3, 4], [4, 5], [5]]));
  it('Gemm transA transB alpha beta', () => checkGradient('Gemm', [[4, 3], [5, 4], [1, 5]], { transA: 1, transB: 1, alpha: 0.5, beta: { float: 2 } }));
  it('Flatten', () => checkGradient('Flatten', [[2, 3, 4]], { axis: 1 }));
  it('Reshape', () => checkGradient('Reshape', [[2, 3, 4], { const: [0, 12], dims: [2] }]));
  it('GlobalAveragePool', () => checkGradient('GlobalAveragePool', [[2, 3, 4, 4]]));
  it('Identity', () => checkGradient('Identity', [[2, 3]]));
  it('Conv 3x3 pad 1', () => checkGradient('Conv', [[2, 3, 5, 5], [4, 3, 3, 3], [4]], { pads: [1, 1, 1, 1] }));
  it('Conv 3x3 stride 2', () => checkGradient('Conv', [[2, 3, 6, 6], [4, 3, 3, 3]], { pads: [1, 1, 1, 1], strides: [2, 2] }));
  it('Conv 1x1 stride 2 (projection shortcut)', () => checkGradient('Conv', [[2, 3, 5, 5], [4, 3, 1, 1]], { strides: [2, 2] }));
  it('Conv dilation 2', () => checkGradient('Conv', [[1, 2, 7, 7], [3, 2, 3, 3]], { dilations: [2, 2], pads: [2, 2, 2, 2] }));
  it('Conv depthwise', () => checkGradient('Conv', [[2, 4, 5, 5], [4, 1, 3, 3]], { group: 4, pads: [1, 1, 1, 1] }));
  it('Conv groups 2', () => checkGradient('Conv', [[2, 4, 5, 5], [6, 2, 3, 3], [6]], { group: 2, pads: [1, 1, 1, 1] }));
  it('Conv auto_pad SAME_UPPER stride 2', () => checkGradient('Conv', [[1, 2, 5, 5], [3, 2, 3, 3]], { auto_pad: 'SAME_UPPER', strides: [2, 2] }));
  it('Conv patch embedding (kernel = stride)', () => checkGradient('Conv', [[2, 3, 8, 8], [5, 3, 4, 4], [5]], { strides: [4, 4] }));
  it('Conv 2x3 kernel, asymmetric pads', () => checkGradient('Conv', [[2, 2, 5, 6], [3, 2, 2, 3], [3]], { pads: [1, 0, 0, 2] }));
  it('Conv 1-D', () => checkGradient('Conv', [[2, 3, 7], [4, 3, 3]], { pads: [1, 1] }));
  it('BatchNormalization (running statistics)', () => checkGradient('BatchNormalization', [[3, 2, 3, 3], [2], [2], { const: [0.1, -0.2], dims: [2], dtype: 'float' }, { const: [1.5, 0.5], dims: [2], dtype: 'float' }], { epsilon: 1e-5 }));
});
