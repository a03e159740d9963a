// dX = cast(dY, type(X)) between float types; none when either side is not a float type
// Also serves CastLike (its second input, the type donor, gets none).
import { isFloatType } from '../../onnx/dtype';
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const cast: GradientRule = ({ b, dOut, dtype, x, y }) => {
  const dy = dOut[0] as string;
  const from = dtype(x(0));
  if (!isFloatType(from) || !isFloatType(dtype(y(0)))) return [undefined];
  return [dtype(dy) === from ? dy : b.op('Cast', [dy], { to: attr.int(from) })];
};
