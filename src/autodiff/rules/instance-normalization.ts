// dX = r·(g − mean(g) − x̂·mean(g·x̂)) over the spatial axes, g = dY·γ_c, x̂ = (X − μ_nc)·r, r = 1/√(var_nc + ε); dγ = Σ dY·x̂, dβ = Σ dY over N and space
import { attrFloat } from '../../onnx/ir';
import { GradientRule } from '../types';
import { normalizedInput, normalizedInputGradient } from './normalize-backward';

export const instanceNormalization: GradientRule = ({ b, dOut, needs, node, x }) => {
  const dy = dOut[0];
  if (!dy) return [undefined, undefined, undefined];
  const X = x(0);
  const rank = b.rank(X);
  const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  const perChannel = (v: string) => b.unsqueeze(v, spatial.map((a) => a - 1)); // [C] → [C,1,…]
  const { xhat, r } = normalizedInput(b, X, spatial, attrFloat(node, 'epsilon', 1e-5));
  const dX = needs[0] ? normalizedInputGradient(b, b.op('Mul', [dy, perChannel(x(1))]), xhat, r, spatial) : undefined;
  const notChannel = [0, ...spatial];
  const dScale = needs[1] ? b.reduce('ReduceSum', b.op('Mul', [dy, xhat]), notChannel, false) : undefined;
  const dBias = needs[2] ? b.reduce('ReduceSum', dy, notChannel, false) : undefined;
  return [dX, dScale, dBias];
};
