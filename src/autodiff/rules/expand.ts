// dX = Σ dY over the axes Expand stretched (the driver's un-broadcast sums them; unknown input dims: a reshape does)
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const expand: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  const xs = b.shape(x(0));
  const ys = b.shape(dy);
  if (!xs || !ys) throw new AutodiffError(`Expand node '${node.name}': the ranks of its input and output must be known to differentiate it`);
  const lead = ys.length - xs.length;
  if (!xs.some((d, i) => d === null && ys[i + lead] !== 1)) return [dy];
  // An input dim of unknown size may be 1 (stretched) or not: split each output dim d into
  // [x, d / x] at run time and sum the second part, which is a no-op where x = d.
  const r = xs.length;
  const xShape = b.op('Shape', [x(0)]);
  const yShape = b.op('Shape', [dy]);
  const tail = lead > 0 ? b.op('Slice', [yShape, b.ints([lead]), b.ints([lead + r])]) : yShape;
  const pairs = b.op('Concat', [b.unsqueeze(xShape, [1]), b.unsqueeze(b.op('Div', [tail, xShape]), [1])], { axis: attr.int(1) });
  const flatPairs = b.reshape(pairs, [2 * r]);
  const target = lead > 0 ? b.op('Concat', [b.op('Slice', [yShape, b.ints([0]), b.ints([lead])]), flatPairs], { axis: attr.int(0) }) : flatPairs;
  const axes = [...Array.from({ length: lead }, (_, i) => i), ...Array.from({ length: r }, (_, i) => lead + 2 * i + 1)];
  return [b.reduce('ReduceSum', b.op('Reshape', [dy, target]), axes, false)];
};
