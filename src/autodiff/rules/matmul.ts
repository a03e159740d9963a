// dA = dY·Bᵀ, dB = Aᵀ·dY  (batched; 1-D operands promoted like numpy; a 2-D weight gets one GEMM)
import { GradientRule } from '../types';
import { GraphBuilder } from '../../onnx/builder';
import { attr } from '../../onnx/attr';

const swapLast = (b: GraphBuilder, v: string): string => {
  const r = b.rank(v);
  return b.transpose(v, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
};

export const matmul: GradientRule = ({ b, dOut, needs, x, shape }) => {
  const dy0 = dOut[0] as string;
  const ra = shape(x(0))?.length ?? 2;
  const rb = shape(x(1))?.length ?? 2;
  if (ra === 1 && rb === 1) {
    return [needs[0] ? b.op('Mul', [dy0, x(1)]) : undefined, needs[1] ? b.op('Mul', [dy0, x(0)]) : undefined];
  }
  let A = x(0);
  let B = x(1);
  let dy = dy0;
  if (ra === 1) { A = b.unsqueeze(A, [0]); dy = b.unsqueeze(dy, [b.rank(dy) - 1]); }
  if (rb === 1) { B = b.unsqueeze(B, [1]); dy = b.unsqueeze(dy, [b.rank(dy)]); }
  let dA = needs[0] ? b.op('MatMul', [dy, swapLast(b, B)]) : undefined;
  let dB: string | undefined;
  if (needs[1]) {
    if (rb === 2 && ra > 2) {
      // A shared weight: fold the batch dims into the rows and do one GEMM (no batched reduce).
      const k = shape(x(0))?.[ra - 1];
      const n = b.shape(dy)?.[b.rank(dy) - 1];
      if (typeof k === 'number' && typeof n === 'number') {
        dB = b.op('Gemm', [b.reshape(A, [-1, k]), b.reshape(dy, [-1, n])], { transA: attr.int(1) });
      }
    }
    dB ??= b.op('MatMul', [swapLast(b, A), dy]);
  }
  if (dA && ra === 1) dA = b.reshapeLike(b.reduce('ReduceSum', dA, Array.from({ length: b.rank(dA) - 2 }, (_, i) => i), false), x(0));
  if (dB && rb === 1) dB = b.reshapeLike(b.reduce('ReduceSum', dB, Array.from({ length: b.rank(dB) - 2 }, (_, i) => i), false), x(1));
  return [dA, dB];
};
