// X viewed as [N, G, K]: dX = r·(g − mean_K(g) − x̂·mean_K(g·x̂)), g = dY·γ, r = 1/√(var + ε); dγ = Σ dY·x̂, dβ = Σ dY per channel (opset 21) or per group (18)
// Opset 18's scale and bias are per group ([G]); opset 21 made them per channel ([C]). Statistics
// are recomputed in X's type (stash_type only says float32 statistics for narrower types).
import { attrFloat, attrInt } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';
import { normalizedInput, normalizedInputGradient } from './normalize-backward';

export const groupNormalization: GradientRule = ({ b, dOut, needs, node, opset, x }) => {
  const dy = dOut[0];
  if (!dy) return [undefined, undefined, undefined];
  const X = x(0);
  const groups = attrInt(node, 'num_groups');
  if (groups === undefined) throw new AutodiffError(`GroupNormalization node '${node.name}' has no num_groups attribute; the model is invalid`);
  const rank = b.rank(X);
  const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  const grouped = (v: string) => b.reshape(v, [0, groups, -1]);
  const { xhat, r } = normalizedInput(b, grouped(X), [2], attrFloat(node, 'epsilon', 1e-5));
  const dyG = grouped(dy);
  const perChannel = opset >= 21;
  const channelShaped = (v: string) => (spatial.length ? b.unsqueeze(v, spatial.map((a) => a - 1)) : v); // [C] → [C,1,…]
  let dX: string | undefined;
  if (needs[0]) {
    const g = perChannel ? grouped(b.op('Mul', [dy, channelShaped(x(1))])) : b.op('Mul', [dyG, b.unsqueeze(x(1), [1])]);
    dX = b.reshapeLike(normalizedInputGradient(b, g, xhat, r, [2]), X);
  }
  const sum = (v: string, grouping: boolean) => (grouping ? b.reduce('ReduceSum', v, [0, 2], false) : b.reduce('ReduceSum', v, [0, ...spatial], false));
  let dScale: string | undefined;
  if (needs[1]) dScale = perChannel ? sum(b.op('Mul', [dy, b.reshapeLike(xhat, X)]), false) : sum(b.op('Mul', [dyG, xhat]), true);
  const dBias = needs[2] ? (perChannel ? sum(dy, false) : sum(dyG, true)) : undefined;
  return [dX, dScale, dBias];
};
