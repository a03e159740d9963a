// Three steps of SGD, SAM and CR-SAM through the public Trainer on a tiny CNN of the normalization
// family of issue 13 (InstanceNormalization, GroupNorm as torch 1.13 exports it: Reshape +
// InstanceNormalization + per-channel affine, BatchNormalization in training mode with running
// statistics, LayerNormalization over [C, H, W]), exported by torch 1.13 at opset 17
// (tools/make_torch_fixtures_norms.py): losses and final parameters within 1e-4 of PyTorch
// float32's, and our error against PyTorch float64 within a small factor of PyTorch float32's own
// (the floor covers the float32 rounding of the stored float64 truth); both errors are printed.
import { describeThreeStepParity } from './three-step-parity';

describeThreeStepParity('norms (InstanceNorm, GroupNorm, BatchNorm, LayerNorm)', 'norms');
