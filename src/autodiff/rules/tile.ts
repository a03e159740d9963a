// dX = Σ over the repeats of dY: view dY as [r₀, d₀, r₁, d₁, …] and sum the r axes
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const tile: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  const reps = b.fact(x(1)).value;
  const xs = b.shape(x(0));
  if (!reps || !xs || !reps.every((r): r is number => typeof r === 'number')) {
    throw new AutodiffError(`Tile node '${node.name}' needs constant repeats to differentiate`);
  }
  if (reps.every((r) => r === 1)) return [dy, undefined];
  // Only tiled axes are split in two; symbolic sizes are read at run time.
  const target: (number | string)[] = [];
  const summed: number[] = [];
  xs.forEach((d, i) => {
    if (reps[i] !== 1) { summed.push(target.length); target.push(reps[i]); }
    target.push(typeof d === 'number' ? d : b.op('Gather', [b.op('Shape', [x(0)]), b.ints([i])], { axis: attr.int(0) }));
  });
  const shape = target.every((t): t is number => typeof t === 'number') ? b.ints(target)
    : b.op('Concat', target.map((t) => (typeof t === 'number' ? b.ints([t]) : t)), { axis: attr.int(0) });
  return [b.reduce('ReduceSum', b.op('Reshape', [dy, shape]), summed, false), undefined];
};
