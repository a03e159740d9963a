// Shape rules of resampling and selection ops: Resize (scales or sizes), TopK (values and int64 indices).
import { DataType } from '../dtype';
import { attrInt } from '../ir';
import { planResize } from '../resize-geometry';
import { InferContext, ShapeRule, ValueFact, normAxis } from '../shape-inference';

/** Resize's scales and sizes inputs (X, roi, scales, sizes); empty tensors count as absent. */
export function resizeInputs(input: (i: number) => ValueFact | undefined): { scales?: ValueFact; sizes?: ValueFact } {
  const present = (f: ValueFact | undefined) => (f && !(f.shape?.length === 1 && f.shape[0] === 0) ? f : undefined);
  return { scales: present(input(2)), sizes: present(input(3)) };
}

export const resize: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype }];
  const { scales, sizes } = resizeInputs((i) => ctx.input(i));
  const plan = planResize(ctx.node, x.shape, scales?.floatValue, sizes?.value);
  if (typeof plan === 'string') return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  return [{ dtype: x.dtype, shape: plan.out }];
};

export const topK: ShapeRule = (ctx: InferContext) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype }, { dtype: DataType.INT64 }];
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', -1), x.shape.length);
  const k = ctx.req(1).value?.[0] ?? null;
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  return [{ dtype: x.dtype, shape }, { dtype: DataType.INT64, shape }];
};
