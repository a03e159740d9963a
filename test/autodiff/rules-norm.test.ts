// InstanceNormalization and GroupNormalization rules: finite differences through onnxruntime-node
// (check-gradient.ts) and exact cases from PyTorch autograd in float64 (tools/make_rule_fixtures_norm.py).
import { checkGradient } from './check-gradient';
import { torchCases } from './torch-cases';

const torch = torchCases('norm');

describe('gradient rules: normalization', () => {
  describe('InstanceNormalization', () => {
    it('1-D spatial', () => checkGradient('InstanceNormalization', [[2, 3, 5], [3], [3]], { epsilon: 1e-5 }, torch('InstanceNorm1d')));
    it('2-D spatial, epsilon 1e-3', () => checkGradient('InstanceNormalization', [[2, 2, 3, 3], [2], [2]], { epsilon: 1e-3 }, torch('InstanceNorm2d')));
  });
  describe('GroupNormalization', () => {
    // Opset 21's default stash_type makes ORT compute the statistics in float32 even for float64
    // X, which float64 finite differences cannot see through: stash_type 11 (double) there.
    it('opset 21: per-channel scale and bias', () => checkGradient('GroupNormalization', [[2, 4, 3, 2], [4], [4]], { num_groups: 2, epsilon: 1e-5, stash_type: 11 }, torch('GroupNorm21', { opset: 21 })));
    it('opset 21, rank 3, 3 groups', () => checkGradient('GroupNormalization', [[2, 6, 4], [6], [6]], { num_groups: 3, epsilon: 1e-5, stash_type: 11 }, torch('GroupNorm21Rank3', { opset: 21 })));
    it('opset 21 in float32, default stash_type', () => checkGradient('GroupNormalization', [[2, 4, 3, 2], [4], [4]], { num_groups: 2, epsilon: 1e-5 }, torch('GroupNorm21', { opset: 21, float32: true })));
    it('opset 18: per-group scale and bias', () => checkGradient('GroupNormalization', [[2, 4, 3, 2], [2], [2]], { num_groups: 2, epsilon: 1e-5 }, torch('GroupNorm18', { opset: 18 })));
  });
});
