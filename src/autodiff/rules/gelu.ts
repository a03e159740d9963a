// none: dX = dY·(Φ(X) + X·φ(X)); tanh: dX = dY·(½(1 + t) + ½X(1 − t²)·k(1 + 3c·X²)), t = tanh(k(X + c·X³))
// Φ, φ: the standard normal CDF and density; k = √(2/π), c = 0.044715 (the op's own constants).
import { attrString } from '../../onnx/ir';
import { GradientRule } from '../types';

export const gelu: GradientRule = ({ b, dOut, node, x }) => {
  const X = x(0);
  const s = (v: number) => b.scalarLike(v, X);
  const mul = (p: string, q: string) => b.op('Mul', [p, q]);
  const add = (p: string, q: string) => b.op('Add', [p, q]);
  const x2 = mul(X, X);
  let slope: string;
  if (attrString(node, 'approximate', 'none') === 'tanh') {
    const k = Math.sqrt(2 / Math.PI);
    const c = 0.044715;
    const t = b.op('Tanh', [mul(mul(X, add(mul(x2, s(c)), s(1))), s(k))]);
    const du = add(mul(x2, s(3 * c * k)), s(k));
    const half = mul(add(t, s(1)), s(0.5));
    const sech2 = b.op('Sub', [s(1), mul(t, t)]);
    slope = add(half, mul(mul(X, s(0.5)), mul(sech2, du)));
  } else {
    const cdf = mul(add(b.op('Erf', [mul(X, s(Math.SQRT1_2))]), s(1)), s(0.5));
    const pdf = mul(b.op('Exp', [mul(x2, s(-0.5))]), s(1 / Math.sqrt(2 * Math.PI)));
    slope = add(cdf, mul(X, pdf));
  }
  return [mul(dOut[0] as string, slope)];
};
