// Batch statistics: dX = γ·σ⁻¹·(dY − mean(dY) − x̂·mean(dY·x̂)), dγ = Σ dY·x̂, dβ = Σ dY
// Running statistics: dX = γ·σ⁻¹·dY. Both written as per-channel affine maps so dX costs 3 passes.
// Measured 2026-12-02 (tools/bench-bn.ts, BN forward + backward on ResNet-20's shapes at N = 128,
// one intra-op thread, CPU time, 30–40 interleaved rounds, load ≈ 10–14 on 2 cores), not taken:
// Σ dY·(x − m) as a batched MatMul over H·W (no full-size product) 1.08 / 1.17 / 1.30 of this
// (16×32×32 / 32×16×16 / 64×8×8, both on the partial-sum statistics); the sums as two-stage
// reductions (H·W, then N) 1.02 / 0.99 / 0.99 (on the former statistics), 1.11 / 1.05 / 1.02 (on
// the partial sums); (x − m)·coef by an inference BatchNormalization instead of the broadcast Mul
// 0.97–0.99 (not resolved at this noise). Fewer passes would need an op computing p·A + q·B with
// per-channel p, q over two full-size tensors in one pass; we know none in standard ONNX (a grouped
// Conv could, but only after a Concat, itself a pass), nor a way to fold ReLU's mask (Where) in.
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const batchNormalization: GradientRule = ({ b, dOut, needs, node, x, shape }) => {
  const dy = dOut[0] as string;
  const stats = node.meta?.batchStats;
  const rank = shape(x(0))?.length ?? 4;
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  const perChannel = (v: string) => b.unsqueeze(v, Array.from({ length: rank - 2 }, (_, i) => i + 1)); // [C] → [C,1,1]
  const eps = stats?.epsilon ?? (node.attributes.get('epsilon')?.value as number | undefined) ?? 1e-5;
  const variance = stats?.variance ?? x(4);
  const centered = stats?.centered ?? b.op('Sub', [x(0), perChannel(x(3))]);
  const invStd = b.op('Reciprocal', [b.op('Sqrt', [b.op('Add', [variance, b.scalar(eps)])])]);
  const dBeta = b.reduce('ReduceSum', dy, axes, false);
  const sumDyD = b.reduce('ReduceSum', b.op('Mul', [dy, centered]), axes, false);
  const dGamma = b.op('Mul', [sumDyD, invStd]);
  let dX: string | undefined;
  if (needs[0]) {
    const a = b.op('Mul', [x(1), invStd]);
    if (!stats) {
      dX = b.op('Mul', [dy, perChannel(a)]);
    } else {
      const invN = b.op('Reciprocal', [stats.count]);
      const coefD = b.op('Neg', [b.op('Mul', [b.op('Mul', [a, b.op('Mul', [invStd, invStd])]), b.op('Mul', [sumDyD, invN])])]);
      const shift = b.op('Neg', [b.op('Mul', [a, b.op('Mul', [dBeta, invN])])]);
      const zeros = b.op('Mul', [shift, b.scalar(0)]);
      const ones = b.op('Add', [zeros, b.scalar(1)]);
      // a·dY + shift in one pass: an inference BatchNormalization with mean 0, var 1, ε 0.
      const affine = b.node('BatchNormalization', [dy, a, shift, zeros, ones], b.opset >= 14 ? { epsilon: attr.float(0), training_mode: attr.int(0) } : { epsilon: attr.float(0) })[0];
      dX = b.op('Add', [affine, b.op('Mul', [centered, perChannel(coefD)])]);
    }
  }
  return [dX, needs[1] ? dGamma : undefined, needs[2] ? dBeta : undefined, undefined, undefined];
};
