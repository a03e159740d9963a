// dX = Σ dY over the axes Expand stretched (summed here, not by the driver, so symbolic dims of Y count too)
import { AutodiffError, GradientRule } from '../types';

export const expand: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  const xs = b.shape(x(0));
  const ys = b.shape(dy);
  if (!xs || !ys) throw new AutodiffError(`Expand node '${node.name}': the ranks of its input and output must be known to differentiate it`);
  const lead = ys.length - xs.length;
  const axes: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    if (i < lead) axes.push(i);
    else if (xs[i - lead] === 1 && ys[i] !== 1) axes.push(i);
    else if (xs[i - lead] === null && ys[i] !== 1) { // (a named symbolic dim is taken as > 1: never stretched)
      throw new AutodiffError(`Expand node '${node.name}': whether axis ${i} is expanded is unknown (input dim ${String(xs[i - lead])}, output ${String(ys[i])})`);
    }
  }
  if (axes.length === 0) return [dy];
  const summed = b.reduce('ReduceSum', dy, axes, true);
  return [lead > 0 ? b.squeeze(summed, axes.slice(0, lead)) : summed];
};
