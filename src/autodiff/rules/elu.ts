// Elu: dX = dY·(X > 0 ? 1 : α·eˣ); Selu: dX = dY·γ·(X > 0 ? 1 : α·eˣ); Celu: dX = dY·(X > 0 ? 1 : e^(X/α))
// At X = 0 the negative branch's slope is taken, as PyTorch's elu_backward (self <= 0).
import { attrFloat, Node } from '../../onnx/ir';
import { GradientRule } from '../types';

/** [slope for X > 0, coefficient c and inner factor k of the slope c·e^(k·X) for X ≤ 0]. */
function branches(node: Node): [number, number, number] {
  if (node.opType === 'Selu') {
    const gamma = attrFloat(node, 'gamma', 1.05070102214813232421875);
    return [gamma, gamma * attrFloat(node, 'alpha', 1.67326319217681884765625), 1];
  }
  const alpha = attrFloat(node, 'alpha', 1);
  return node.opType === 'Celu' ? [1, 1, 1 / alpha] : [1, alpha, 1];
}

export const eluFamily: GradientRule = ({ b, dOut, node, x }) => {
  const X = x(0);
  const [pos, coef, inner] = branches(node);
  const s = (v: number) => b.scalarLike(v, X);
  const exp = b.op('Exp', [inner === 1 ? X : b.op('Mul', [X, s(inner)])]);
  const slope = b.op('Where', [b.op('Greater', [X, s(0)]), s(pos), b.op('Mul', [exp, s(coef)])]);
  return [b.op('Mul', [dOut[0] as string, slope])];
};
