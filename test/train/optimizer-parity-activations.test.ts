// Three steps of SGD, SAM and CR-SAM through the public Trainer on a tiny CNN built from the
// activations and resamplings of issue 13 (HardSwish, HardSigmoid, PRelu, Softplus, Elu, Selu,
// Celu, Mish and Softsign as PyTorch decomposes them, bilinear and nearest Resize), exported by
// torch 1.13 at opset 17 (tools/make_torch_fixtures_activations.py): losses and final parameters
// within 1e-4 of PyTorch float32's, and our error against PyTorch float64 within a small factor of
// PyTorch float32's own (the floor covers the float32 rounding of the stored float64 truth).
import { describeThreeStepParity } from './three-step-parity';

describeThreeStepParity('acts (HardSwish, PRelu, Resize, ...)', 'acts');
