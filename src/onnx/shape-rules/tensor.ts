// Shape rules of the data-movement and shape-computation ops, with integer value propagation.
import { DataType } from '../dtype';
import { attrInt, attrInts, attrTensor, Dim } from '../ir';
import { ShapeRule, ValueFact, broadcastShapes, dimDivide, dimProduct, normAxis, tensorFact } from '../shape-inference';

export const reshape: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const target = ctx.req(1).value;
  const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
  if (!target) {
    const rank = ctx.req(1).shape?.[0];
    return [{ dtype: x.dtype, shape: typeof rank === 'number' ? new Array<Dim>(rank).fill(null) : undefined }];
  }
  // ONNX Runtime refuses a target below −1 or with several −1s: so do we, at the user's node.
  if (target.some((d) => typeof d === 'number' && d < -1) || target.filter((d) => d === -1).length > 1) ctx.fail(`the target shape [${target.join(', ')}] may hold sizes ≥ 0 and at most one −1`);
  if (allowZero && target.includes(0) && target.includes(-1)) ctx.refuse(`with allowzero set, the target shape [${target.join(', ')}] may not hold both 0 and −1`);
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? x.shape?.[i] ?? null : d));
  const inferIdx = out.indexOf(-1);
  if (inferIdx >= 0) {
    const known = out.filter((_, i) => i !== inferIdx);
    out[inferIdx] = x.shape ? dimDivide(dimProduct(x.shape), dimProduct(known)) : null;
  }
  return [{ dtype: x.dtype, shape: out, value: x.value }];
};

export const flatten: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype, shape: [null, null] }];
  const axis = attrInt(ctx.node, 'axis', 1);
  const a = axis < 0 ? axis + x.shape.length : axis;
  return [{ dtype: x.dtype, shape: [dimProduct(x.shape.slice(0, a)), dimProduct(x.shape.slice(a))] }];
};

export const transpose: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype }];
  const rank = x.shape.length;
  const perm = attrInts(ctx.node, 'perm') ?? x.shape.map((_, i) => rank - 1 - i);
  // ONNX Runtime refuses a perm that is not a permutation of the input's axes.
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) ctx.refuse(`its attribute perm [${perm.join(', ')}] must order the input's ${rank} axes 0…${rank - 1}, each once`);
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p]) }];
};

export const concat: ShapeRule = (ctx) => {
  const facts = ctx.node.inputs.map((_, i) => ctx.req(i));
  const first = facts.find((f) => f.shape);
  if (!first?.shape) return [{ dtype: facts[0].dtype }];
  const rank = first.shape.length;
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), rank);
  // ONNX Runtime refuses inputs of different ranks, or different known sizes off the axis.
  for (const [k, f] of facts.entries()) {
    if (!f.shape) continue;
    const clash = f.shape.length !== rank || f.shape.some((e, i) => i !== axis && typeof e === 'number' && typeof first.shape?.[i] === 'number' && e !== first.shape[i]);
    if (clash) ctx.refuse(`input ${k} has shape [${f.shape.join(', ')}], which does not fit [${first.shape.join(', ')}] off axis ${axis}`);
  }
  const shape: Dim[] = first.shape.map((d, i) => {
    if (i !== axis) return facts.map((f) => f.shape?.[i]).find((e) => e !== null && e !== undefined) ?? d;
    let sum: number | null = 0;
    for (const f of facts) {
      const e = f.shape?.[i];
      sum = sum !== null && typeof e === 'number' ? sum + e : null;
    }
    return sum;
  });
  const value = rank === 1 && facts.every((f) => f.value) ? facts.flatMap((f) => f.value as Dim[]) : undefined;
  // Float lists too: PyTorch exports Resize scales as Concat(Constant [1, 1], Constant [2, 2]).
  const floatValue = rank === 1 && facts.every((f) => f.floatValue) ? facts.flatMap((f) => f.floatValue as number[]) : undefined;
  return [{ dtype: facts[0].dtype, shape, value, floatValue }];
};

export const slice: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype }];
  const rank = x.shape.length;
  const starts = ctx.input(1)?.value;
  const ends = ctx.input(2)?.value;
  const axesIn = ctx.input(3)?.value;
  const stepsIn = ctx.input(4)?.value;
  if (!starts || !ends) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  const axes = axesIn ?? starts.map((_, i) => i);
  const shape: Dim[] = [...x.shape];
  let value = x.value && rank === 1 ? [...x.value] : undefined;
  axes.forEach((ax, k) => {
    const a = normAxis(ctx, ax as number, rank);
    const size = x.shape![a];
    const step = (stepsIn?.[k] ?? 1) as number;
    const st = starts[k];
    const en = ends[k];
    if (typeof size !== 'number' || typeof st !== 'number' || typeof en !== 'number' || typeof step !== 'number') {
      shape[a] = null;
      value = undefined;
      return;
    }
    const [s, e] = clampSlice(st, en, step, size);
    const n = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
    shape[a] = n;
    if (value) value = Array.from({ length: n }, (_, i) => value![s + i * step]);
  });
  return [{ dtype: x.dtype, shape, value }];
};

/** ONNX Slice clamping of start/end for one axis. */
export function clampSlice(start: number, end: number, step: number, size: number): [number, number] {
  let s = start < 0 ? start + size : start;
  let e = end < 0 ? end + size : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), size);
    e = Math.min(Math.max(e, 0), size);
  } else {
    s = Math.min(Math.max(s, 0), size - 1);
    e = Math.min(Math.max(e, -1), size - 1);
  }
  return [s, e];
}

export const gather: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const idx = ctx.req(1);
  if (!x.shape || !idx.shape) return [{ dtype: x.dtype }];
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), x.shape.length);
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  let value: Dim[] | undefined;
  if (x.value && idx.value && x.shape.length === 1) {
    const n = x.value.length;
    value = idx.value.map((i) => (typeof i === 'number' ? x.value![i < 0 ? i + n : i] ?? null : null));
  }
  return [{ dtype: x.dtype, shape, value }];
};

export const gatherElements: ShapeRule = (ctx) => [{ dtype: ctx.req(0).dtype, shape: ctx.req(1).shape }];

export const squeeze: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype }];
  const axesIn = ctx.input(1)?.value;
  const rank = x.shape.length;
  const axes = axesIn ? axesIn.map((a) => normAxis(ctx, a as number, rank)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  const wide = axes.find((a) => typeof x.shape?.[a] === 'number' && x.shape[a] !== 1);
  if (wide !== undefined) ctx.refuse(`it squeezes axis ${wide}, which has size ${x.shape[wide]}, not 1`);
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)), value: x.value }];
};

export const unsqueeze: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const axesIn = ctx.input(1)?.value;
  if (!x.shape || !axesIn) return [{ dtype: x.dtype }];
  const rank = x.shape.length + axesIn.length;
  const axes = axesIn.map((a) => normAxis(ctx, a as number, rank));
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[k++]);
  return [{ dtype: x.dtype, shape, value: x.value }];
};

export const expand: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const length = ctx.req(1).shape?.[0];
  // Unknown target contents still fix the rank: each dim is the input's unless that is 1.
  const target = ctx.req(1).value ?? (typeof length === 'number' ? new Array<Dim>(length).fill(null) : undefined);
  if (!target || !x.shape) return [{ dtype: x.dtype }];
  return [{ dtype: x.dtype, shape: broadcastShapes(ctx, [x.shape, target.map((d) => (d === 1 ? 1 : d))]) }];
};

export const shapeOp: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: DataType.INT64, shape: [null] }];
  const rank = x.shape.length;
  const start = attrInt(ctx.node, 'start', 0);
  const end = attrInt(ctx.node, 'end', rank);
  const s = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
  const e = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
  const value = x.shape.slice(s, Math.max(s, e));
  return [{ dtype: DataType.INT64, shape: [value.length], value }];
};

export const size: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  return [{ dtype: DataType.INT64, shape: [], value: x.shape ? [dimProduct(x.shape)] : undefined }];
};

export const constant: ShapeRule = (ctx) => {
  const t = attrTensor(ctx.node, 'value');
  if (t) return [tensorFact(t)];
  const a = ctx.node.attributes;
  const vi = a.get('value_int');
  if (vi?.type === 'int') return [{ dtype: DataType.INT64, shape: [], value: [vi.value] }];
  const vis = a.get('value_ints');
  if (vis?.type === 'ints') return [{ dtype: DataType.INT64, shape: [vis.value.length], value: vis.value }];
  const vf = a.get('value_float');
  if (vf?.type === 'float') return [{ dtype: DataType.FLOAT, shape: [], floatValue: [vf.value] }];
  const vfs = a.get('value_floats');
  if (vfs?.type === 'floats') return [{ dtype: DataType.FLOAT, shape: [vfs.value.length], floatValue: vfs.value }];
  return ctx.fail('Constant has no supported value attribute');
};

export const constantOfShape: ShapeRule = (ctx) => {
  const target = ctx.req(0).value;
  const t = attrTensor(ctx.node, 'value');
  const dtype = t?.dtype ?? DataType.FLOAT;
  const shape = target ? [...target] : ctx.req(0).shape?.[0] !== undefined && typeof ctx.req(0).shape?.[0] === 'number' ? new Array<Dim>(ctx.req(0).shape![0] as number).fill(null) : undefined;
  let value: Dim[] | undefined;
  if (shape && shape.every((d) => typeof d === 'number') && shape.length <= 1 && (dtype === DataType.INT64 || dtype === DataType.INT32)) {
    const fill = t ? Number(t.data[0]) : 0;
    value = new Array<Dim>(dimProduct(shape) as number).fill(fill);
  }
  return [{ dtype, shape, value }];
};

export const range: ShapeRule = (ctx) => {
  const [s, l, d] = [ctx.req(0), ctx.req(1), ctx.req(2)];
  const start = s.value?.[0] ?? s.floatValue?.[0];
  const limit = l.value?.[0] ?? l.floatValue?.[0];
  const delta = d.value?.[0] ?? d.floatValue?.[0];
  if (typeof start !== 'number' || typeof limit !== 'number' || typeof delta !== 'number') return [{ dtype: s.dtype, shape: [null] }];
  const n = Math.max(0, Math.ceil((limit - start) / delta));
  const isInt = s.dtype === DataType.INT64 || s.dtype === DataType.INT32;
  return [{ dtype: s.dtype, shape: [n], value: isInt && n <= 64 ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined }];
};

export const pad: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const pads = ctx.input(1)?.value;
  if (!x.shape || !pads) return [{ dtype: x.dtype, shape: x.shape?.map(() => null) }];
  const rank = x.shape.length;
  const axesIn = ctx.input(3)?.value;
  const axes = axesIn ? axesIn.map((a) => normAxis(ctx, a as number, rank)) : x.shape.map((_, i) => i);
  const shape: Dim[] = [...x.shape];
  axes.forEach((a, k) => {
    const d = shape[a];
    const b = pads[k];
    const e = pads[k + axes.length];
    if (b === 0 && e === 0) return; // unpadded axes keep their (possibly symbolic) size
    shape[a] = typeof d === 'number' && typeof b === 'number' && typeof e === 'number' ? d + b + e : null;
  });
  return [{ dtype: x.dtype, shape }];
};

export const tile: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const reps = ctx.req(1).value;
  if (!x.shape || !reps) return [{ dtype: x.dtype }];
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (reps[i] === 1 ? d : typeof d === 'number' && typeof reps[i] === 'number' ? d * (reps[i] as number) : null)) }];
};

export const split: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const n = ctx.node.outputs.length;
  if (!x.shape) return new Array<ValueFact>(n).fill({ dtype: x.dtype });
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), x.shape.length);
  const sizes = ctx.input(1)?.value;
  const unknownSizes = !sizes && !!ctx.node.inputs[1]; // a split input whose contents are known only at run time
  const total = x.shape[axis];
  return Array.from({ length: n }, (_, i) => {
    const s = sizes ? sizes[i] : unknownSizes ? null : typeof total === 'number' ? Math.ceil(total / n) - (i === n - 1 ? Math.ceil(total / n) * n - total : 0) : null;
    return { dtype: x.dtype, shape: x.shape!.map((d, k) => (k === axis ? s : d)) };
  });
};

export const oneHot: ShapeRule = (ctx) => {
  const idx = ctx.req(0);
  const depth = ctx.req(1).value?.[0] ?? ctx.req(1).floatValue?.[0] ?? null;
  const values = ctx.req(2);
  if (!idx.shape) return [{ dtype: values.dtype }];
  const rank = idx.shape.length + 1;
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', -1), rank);
  const shape = [...idx.shape];
  shape.splice(axis, 0, depth);
  return [{ dtype: values.dtype, shape }];
};

export const scatter: ShapeRule = (ctx) => [{ dtype: ctx.req(0).dtype, shape: ctx.req(0).shape }];

export const nonZero: ShapeRule = (ctx) => [{ dtype: DataType.INT64, shape: [ctx.req(0).shape?.length ?? null, null] }];

/** EyeLike, RandomNormalLike, RandomUniformLike: the input's shape, the `dtype` attribute's type. */
export const like: ShapeRule = (ctx) => [{ dtype: attrInt(ctx.node, 'dtype') ?? ctx.req(0).dtype, shape: ctx.req(0).shape }];
