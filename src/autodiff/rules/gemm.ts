// Y = α·op(A)·op(B) + β·C:  dA = α·dY·op(B)ᵀ (transposed back if transA), dB likewise, dC = β·dY
// Gemm's own trans flags do the transposes, so no Transpose node is emitted.
import { attrFloat, attrInt } from '../../onnx/ir';
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const gemm: GradientRule = ({ b, dOut, needs, node, x }) => {
  const dy = dOut[0] as string;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const tA = attrInt(node, 'transA', 0);
  const tB = attrInt(node, 'transB', 0);
  const f = attr.float(alpha);
  let dA: string | undefined;
  let dB: string | undefined;
  if (needs[0]) {
    // op(A) = dY·op(B)ᵀ; A = op(A)ᵀ when transA.
    dA = tA ? b.op('Gemm', [x(1), dy], { transA: attr.int(tB), transB: attr.int(1), alpha: f }) : b.op('Gemm', [dy, x(1)], { transA: attr.int(0), transB: attr.int(tB ? 0 : 1), alpha: f });
  }
  if (needs[1]) {
    dB = tB ? b.op('Gemm', [dy, x(0)], { transA: attr.int(1), transB: attr.int(tA), alpha: f }) : b.op('Gemm', [x(0), dy], { transA: attr.int(tA ? 0 : 1), transB: attr.int(0), alpha: f });
  }
  let dC: string | undefined;
  if (needs[2]) dC = beta === 1 ? dy : b.op('Mul', [dy, b.scalarLike(beta, dy)]);
  return [dA, dB, dC];
};
