// Sin: dX = dY·cos X; Cos: dX = −dY·sin X
import { GradientRule } from '../types';

export const sinOrCos: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  if (node.opType === 'Sin') return [b.op('Mul', [dy, b.op('Cos', [x(0)])])];
  return [b.op('Neg', [b.op('Mul', [dy, b.op('Sin', [x(0)])])])];
};
