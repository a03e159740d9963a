// constant: dX = dY[pads_begin : −pads_end] (a Pad by −pads if some are negative); reflect/edge: plus the mirrored/edge parts folded back
import { attrString, Dim } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

const BIG = 2 ** 31 - 1;

export const pad: GradientRule = ({ b, dOut, needs, node, x, opset }) => {
  let dy = dOut[0] as string;
  const mode = attrString(node, 'mode', 'constant');
  const rank = b.rank(x(0));
  const given = b.fact(x(1)).value;
  const axesIn = opset >= 18 && node.inputs[3] ? b.fact(x(3)).value : undefined;
  const known = given && given.every((p): p is number => typeof p === 'number') && !(node.inputs[3] && !axesIn);
  let dX: string;
  if (!known) {
    if (mode !== 'constant') throw new AutodiffError(`Pad node '${node.name}' (${mode} mode) needs constant pads to differentiate`);
    const optional = node.inputs[3] ? [x(3)] : [];
    dX = b.op('Pad', [dy, b.op('Neg', [x(1)]), ...(optional.length ? ['', ...optional] : [])]);
  } else {
    const axes = (axesIn ?? Array.from({ length: rank }, (_, i) => i)).map((a) => ((a as number) + rank) % rank);
    const pads = new Array<number>(2 * rank).fill(0);
    axes.forEach((a, k) => { pads[a] = given[k] as number; pads[a + rank] = given[k + axes.length] as number; });
    if (mode === 'constant') {
      const sliced = Array.from({ length: rank }, (_, i) => i).filter((i) => pads[i] > 0 || pads[i + rank] > 0);
      const crop = pads.map((p) => Math.max(p, 0));
      if (sliced.length) dy = b.slice(dy, sliced.map((i) => crop[i]), sliced.map((i) => (crop[i + rank] > 0 ? -crop[i + rank] : BIG)), sliced);
      dX = b.pad(dy, pads.map((p) => Math.max(-p, 0)));
    } else if (mode === 'reflect' || mode === 'edge') {
      const xs = b.shape(x(0)) as Dim[];
      for (let a = 0; a < rank; a++) {
        const [pb, pe, n] = [pads[a], pads[a + rank], xs[a]];
        if (pb === 0 && pe === 0) continue;
        if (typeof n !== 'number' || pb < 0 || pe < 0) throw new AutodiffError(`Pad node '${node.name}' (${mode} mode) needs a known size and non-negative pads on axis ${a} to differentiate`);
        const along = (begin: number, end: number) => Array.from({ length: 2 * rank }, (_, i) => (i === a ? begin : i === a + rank ? end : 0));
        const parts = [b.slice(dy, [pb], [pb + n], [a])];
        if (mode === 'reflect') {
          if (pb > 0) parts.push(b.pad(b.slice(dy, [pb - 1], [-BIG], [a], [-1]), along(1, n - 1 - pb)));
          if (pe > 0) parts.push(b.pad(b.slice(dy, [pb + n + pe - 1], [pb + n - 1], [a], [-1]), along(n - 1 - pe, 1)));
        } else {
          if (pb > 0) parts.push(b.pad(b.reduce('ReduceSum', b.slice(dy, [0], [pb], [a]), [a], true), along(0, n - 1)));
          if (pe > 0) parts.push(b.pad(b.reduce('ReduceSum', b.slice(dy, [pb + n], [BIG], [a]), [a], true), along(n - 1, 0)));
        }
        dy = parts.length === 1 ? parts[0] : b.op('Sum', parts);
      }
      dX = dy;
    } else {
      throw new AutodiffError(`Pad node '${node.name}': no gradient for mode '${mode}' (constant, reflect and edge are supported)`);
    }
  }
  // The fill value reaches every padded element: its gradient is what dX did not take.
  const full = (v: string) => b.op('ReduceSum', [v], { keepdims: attr.int(0) });
  const dValue = needs[2] && mode === 'constant' ? b.op('Sub', [full(dOut[0] as string), full(dX)]) : undefined;
  return [needs[0] ? dX : undefined, undefined, dValue, undefined];
};
