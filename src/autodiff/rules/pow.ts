// Z = X^E:  dX = dY·E·X^(E−1) (0 where E = 0), dE = dY·Z·ln X (0 where X = 0 and E ≥ 0), as in PyTorch
// A constant scalar exponent (2, 0.5, ...) gets a cheaper dX: 2·X·dY, dY/(2Z), or c·X^(c−1)·dY.
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const pow: GradientRule = ({ b, dOut, needs, x, y, dtype }) => {
  const dy = dOut[0] as string;
  const X = x(0);
  const s = (v: number) => b.scalarLike(v, X);
  const mul = (p: string, q: string) => b.op('Mul', [p, q]);
  // A trained exponent (needs[1]) may carry its initial value in the facts: never fold it.
  const known = needs[1] ? undefined : b.fact(x(1)).floatValue ?? b.fact(x(1)).value;
  const c = known && known.length > 0 && known.every((v) => v === known[0]) && typeof known[0] === 'number' ? known[0] : undefined;
  const exponent = () => (dtype(x(1)) === dtype(X) ? x(1) : b.op('Cast', [x(1)], { to: attr.int(dtype(X)) }));
  let dX: string | undefined;
  if (needs[0] && c !== undefined) {
    if (c === 1) dX = dy;
    else if (c === 2) dX = mul(dy, mul(X, s(2)));
    else if (c === 0.5) dX = b.op('Div', [mul(dy, s(0.5)), y(0)]);
    else if (c !== 0) dX = mul(dy, mul(b.op('Pow', [X, s(c - 1)]), s(c)));
  } else if (needs[0]) {
    const E = exponent();
    const slope = mul(E, b.op('Pow', [X, b.op('Sub', [E, s(1)])]));
    dX = b.op('Where', [b.op('Equal', [E, s(0)]), s(0), mul(dy, slope)]);
  }
  let dE: string | undefined;
  if (needs[1]) {
    const skip = b.op('And', [b.op('Equal', [X, s(0)]), b.op('GreaterOrEqual', [exponent(), s(0)])]);
    dE = b.op('Where', [skip, s(0), mul(dy, mul(y(0), b.op('Log', [X])))]);
  }
  return [dX, dE];
};
