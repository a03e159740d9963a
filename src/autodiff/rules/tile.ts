// dX = Σ over the repeats of dY: view dY as [r₀, d₀, r₁, d₁, …] and sum the r axes
import { AutodiffError, GradientRule } from '../types';

export const tile: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  const reps = b.fact(x(1)).value;
  const xs = b.shape(x(0));
  if (!reps || !xs || !reps.every((r): r is number => typeof r === 'number')) {
    throw new AutodiffError(`Tile node '${node.name}' needs constant repeats to differentiate`);
  }
  const tiled = reps.flatMap((r, i) => (r !== 1 ? [i] : []));
  if (tiled.length === 0) return [dy, undefined];
  // Only tiled axes are split in two; the others stay whole (one of them may be symbolic: -1).
  const target: number[] = [];
  const summed: number[] = [];
  let unknown = 0;
  xs.forEach((d, i) => {
    if (reps[i] !== 1) { summed.push(target.length); target.push(reps[i]); }
    if (typeof d === 'number') target.push(d);
    else { unknown++; target.push(-1); }
  });
  if (unknown > 1 || tiled.some((i) => typeof xs[i] !== 'number')) {
    throw new AutodiffError(`Tile node '${node.name}' needs known sizes on its tiled axes (and at most one symbolic dim) to differentiate`);
  }
  return [b.reduce('ReduceSum', b.reshape(dy, target), summed, false), undefined];
};
