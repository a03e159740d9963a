// dXᵢ = dY·[Xᵢ = Y] / #{j : Xⱼ = Y}  (Max, Min: tied inputs share the gradient evenly, as torch.maximum/minimum)
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const maxOrMin: GradientRule = ({ b, dOut, dtype, needs, node, x, y }) => {
  const dy = dOut[0] as string;
  if (node.inputs.length === 1) return [dy];
  const masks = node.inputs.map((_, i) => b.op('Cast', [b.op('Equal', [x(i), y(0)])], { to: attr.int(dtype(dy)) }));
  const share = b.op('Div', [dy, b.op('Sum', masks)]);
  return masks.map((m, i) => (needs[i] ? b.op('Mul', [share, m]) : undefined));
};
