// dX = pad(dY) back to X's extent (steps of ±1; other steps first spread dY out with zeros); else a scatter
import { DataType } from '../../onnx/dtype';
import { Dim } from '../../onnx/ir';
import { clampSlice } from '../../onnx/shape-rules/tensor';
import { GradContext, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

const BIG = 2 ** 31 - 1;
const known = (v: readonly Dim[] | undefined): number[] | undefined => (v && v.every((d): d is number => typeof d === 'number') ? [...v] : undefined);

export const slice: GradientRule = (ctx) => {
  const { b, dOut, node, x } = ctx;
  const list = (i: number) => (node.inputs[i] ? known(b.fact(x(i)).value) : undefined);
  const [starts, ends, xs] = [list(1), list(2), b.shape(x(0))];
  if (!starts || !ends || !xs) return [scatterBack(ctx)];
  const axes = (list(3) ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + xs.length : a));
  const steps = list(4) ?? starts.map(() => 1);
  if ((node.inputs[3] && !list(3)) || (node.inputs[4] && !list(4))) return [scatterBack(ctx)];
  let g = dOut[0] as string;
  const pads = new Array<number>(2 * xs.length).fill(0);
  const reversed: number[] = [];
  const spread: [number, number, number][] = []; // [axis, step, count]
  for (let k = 0; k < axes.length; k++) {
    const [a, step, size] = [axes[k], steps[k], xs[axes[k]]];
    if (typeof size !== 'number') {
      if (step === 1 && starts[k] === 0 && ends[k] >= BIG) continue; // the whole (symbolic) axis
      return [scatterBack(ctx)];
    }
    const [s, e] = clampSlice(starts[k], ends[k], step, size);
    const count = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
    if (count === 0) return [b.zerosLike(x(0))];
    const lo = step > 0 ? s : s + (count - 1) * step; // lowest index of X taken
    if (step < 0) reversed.push(a);
    if (Math.abs(step) > 1) spread.push([a, Math.abs(step), count]);
    pads[a] = lo;
    pads[a + xs.length] = size - lo - count * Math.abs(step); // negative pads trim the spread's tail
  }
  const ys = b.shape(g);
  const first = Math.min(...spread.map(([a]) => a));
  if (!ys || ys.some((d, i) => i > first && typeof d !== 'number' && !spread.some(([a]) => a === i))) return [scatterBack(ctx)];
  if (reversed.length) g = b.slice(g, reversed.map(() => -1), reversed.map(() => -BIG), reversed, reversed.map(() => -1));
  for (const [a, step, count] of spread) {
    // [.., count, ..] → [.., count, step, ..] (zeros after each element) → [.., count·step, ..]
    const tail = (b.shape(g) as Dim[]).slice(a + 1) as number[];
    const r = b.rank(g) + 1;
    const wide = b.pad(b.unsqueeze(g, [a + 1]), Array.from({ length: 2 * r }, (_, i) => (i === r + a + 1 ? step - 1 : 0)));
    g = b.reshape(wide, [...new Array<number>(a).fill(0), count * step, ...tail]);
  }
  return [b.pad(g, pads)];
};

/** Any slice: apply it to X's flat indices, then scatter dY to the indices it selected. */
function scatterBack({ b, dOut, node, x }: GradContext): string {
  const shape = b.op('Shape', [x(0)]);
  const n = b.op('Size', [x(0)]);
  const index = b.op('Reshape', [b.op('Range', [b.scalar(0, DataType.INT64), n, b.scalar(1, DataType.INT64)]), shape]);
  const picked = b.op('Slice', [index, ...node.inputs.slice(1)]);
  const flat = (v: string) => b.reshape(v, [-1]);
  return b.op('Reshape', [b.op('ScatterElements', [flat(b.zerosLike(x(0))), flat(picked), flat(dOut[0] as string)], { axis: attr.int(0) }), shape]);
}
