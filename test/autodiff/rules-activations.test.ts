// Activations and Sin/Cos: finite differences through onnxruntime (float64 where ORT has the kernel),
// PyTorch's exact gradients, the kinks as PyTorch takes them, and a symbolic batch.
import { checkGradient } from './check-gradient';
import { kinkCase, torchCase } from './torch-cases';

const wide = { range: [-4, 4] } as const;

describe('gradient rules: activations', () => {
  describe('HardSigmoid / HardSwish', () => {
    it('HardSigmoid as PyTorch exports it (α = 1/6)', () => checkGradient('HardSigmoid', [[2, 3]], { alpha: { float: 1 / 6 } }, torchCase('HardSigmoid')));
    it('HardSigmoid at the kinks ±3: slope 0, as PyTorch', () => checkGradient('HardSigmoid', [[2, 3]], { alpha: { float: 1 / 6 } }, kinkCase('HardSigmoidKink')));
    it('HardSigmoid ONNX defaults (α = 0.2, β = 0.5), random', () => checkGradient('HardSigmoid', [[3, 4]], {}, wide));
    it('HardSigmoid α 0.5, β 0.25, opset 13', () => checkGradient('HardSigmoid', [[3, 4]], { alpha: 0.5, beta: 0.25 }, { ...wide, opset: 13 }));
    it('HardSwish', () => checkGradient('HardSwish', [[2, 3]], {}, torchCase('HardSwish')));
    it('HardSwish at the kinks: −½ at −3, 3/2 at 3, as PyTorch', () => checkGradient('HardSwish', [[2, 3]], {}, kinkCase('HardSwishKink')));
    it('HardSwish random, opset 14', () => checkGradient('HardSwish', [[3, 5]], {}, { ...wide, opset: 14 }));
  });

  describe('exponential family', () => {
    it('Selu', () => checkGradient('Selu', [[2, 3]], {}, torchCase('Selu')));
    it('Selu at 0 takes the negative branch, as PyTorch', () => checkGradient('Selu', [[2, 3]], {}, kinkCase('SeluKink')));
    it('Selu custom α, γ, random', () => checkGradient('Selu', [[3, 4]], { alpha: 1.5, gamma: { float: 2 } }, wide));
    it('Elu α 0.5', () => checkGradient('Elu', [[2, 3]], { alpha: 0.5 }, torchCase('Elu')));
    it('Elu at 0 takes the negative branch, as PyTorch', () => checkGradient('Elu', [[2, 3]], { alpha: 0.5 }, kinkCase('EluKink')));
    it('Elu default α, random', () => checkGradient('Elu', [[3, 4]], {}, wide));
    it('Celu α 2 (opset 13)', () => checkGradient('Celu', [[2, 3]], { alpha: { float: 2 } }, torchCase('Celu', { opset: 13 })));
    it('Celu default α, random', () => checkGradient('Celu', [[3, 4]], {}, wide));
    it('Softplus', () => checkGradient('Softplus', [[2, 3]], {}, torchCase('Softplus')));
    it('Softplus random, wide range', () => checkGradient('Softplus', [[3, 4]], {}, { range: [-8, 8] }));
    it('Mish (opset 18)', () => checkGradient('Mish', [[2, 3]], {}, torchCase('Mish', { opset: 18 })));
    it('Mish random (opset 18)', () => checkGradient('Mish', [[3, 4]], {}, { ...wide, opset: 18 }));
    it('Softsign', () => checkGradient('Softsign', [[2, 3]], {}, torchCase('Softsign')));
    it('Softsign random', () => checkGradient('Softsign', [[3, 4]], {}, wide));
  });

  describe('piecewise linear', () => {
    it('PRelu, per-channel slope [3, 1, 1] (both gradients)', () => checkGradient('PRelu', [[2, 3, 2, 2], [3, 1, 1]], {}, torchCase('PRelu')));
    it('PRelu at 0 takes the slope, as PyTorch', () => checkGradient('PRelu', [[2, 3, 2, 2], [3, 1, 1]], {}, kinkCase('PReluKink')));
    it('PRelu, one shared slope, random', () => checkGradient('PRelu', [[3, 4], [1]]));
    it('ThresholdedRelu α 0.25', () => checkGradient('ThresholdedRelu', [[2, 3]], { alpha: 0.25 }, torchCase('ThresholdedRelu')));
    it('ThresholdedRelu at α: slope 0, as PyTorch', () => checkGradient('ThresholdedRelu', [[2, 3]], { alpha: 0.25 }, kinkCase('ThresholdedReluKink')));
    it('ThresholdedRelu default α, random', () => checkGradient('ThresholdedRelu', [[3, 4]], {}, { range: [-3, 3] }));
  });

  describe('trigonometric', () => {
    it('Sin', () => checkGradient('Sin', [[2, 3]], {}, torchCase('Sin')));
    it('Cos', () => checkGradient('Cos', [[2, 3]], {}, torchCase('Cos')));
    it('Sin random, opset 21', () => checkGradient('Sin', [[3, 4]], {}, { range: [-6, 6], opset: 21 }));
    it('Cos random, opset 21', () => checkGradient('Cos', [[3, 4]], {}, { range: [-6, 6], opset: 21 }));
  });
});
