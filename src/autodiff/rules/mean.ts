// dXᵢ = dY / n  (Mean of n inputs; the driver sums each share down to its input's broadcast shape)
import { GradientRule } from '../types';

export const mean: GradientRule = ({ b, dOut, needs, node }) => {
  const dy = dOut[0] as string;
  const n = node.inputs.length;
  const share = n === 1 ? dy : b.op('Mul', [dy, b.scalarLike(1 / n, dy)]);
  return needs.map((need) => (need ? share : undefined));
};
