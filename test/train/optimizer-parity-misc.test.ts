// Three steps of SGD, SAM and CR-SAM through the public Trainer on a tiny CNN of the remaining op
// families of issue 13 as torch 1.13 exports them (nearest and bilinear Resize, Sin, Cos, Max,
// Min, CumSum, TopK values, ReduceL2, ReduceLogSumExp, ReduceProd; a mean of three tensors, which
// torch exports as Concat + ReduceMean, never as Mean), at opset 17
// (tools/make_torch_fixtures_misc.py): losses and final parameters within 1e-4 of PyTorch
// float32's, and our error against PyTorch float64 within a small factor of PyTorch float32's own
// (the floor covers the float32 rounding of the stored float64 truth); both errors are printed.
import { describeThreeStepParity } from './three-step-parity';

describeThreeStepParity('misc (Resize, Sin/Cos, Max/Min, CumSum, TopK, ReduceL2/LogSumExp/Prod)', 'misc');
