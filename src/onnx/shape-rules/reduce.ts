// Shape rules of reductions, with axes as an attribute (older opsets) or as an input.
import { attrInt, attrInts, Dim } from '../ir';
import { InferContext, ShapeRule, dimProduct, normAxis } from '../shape-inference';

/** Reads a reduction's axes (attribute, or the second input from ReduceSum-13 / Reduce*-18). */
function reduceAxes(ctx: InferContext, rank: number): number[] | undefined {
  const fromAttr = attrInts(ctx.node, 'axes');
  let axes: readonly Dim[] | undefined = fromAttr;
  if (!axes && ctx.node.inputs[1]) {
    const f = ctx.req(1);
    if (!f.value) return undefined;
    axes = f.value;
  }
  if (!axes || axes.length === 0) {
    if (attrInt(ctx.node, 'noop_with_empty_axes', 0)) return [];
    return Array.from({ length: rank }, (_, i) => i);
  }
  return axes.map((a) => (typeof a === 'number' ? normAxis(ctx, a, rank) : ctx.fail('reduction axes must be known')));
}

export const reduce: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype }];
  const axes = reduceAxes(ctx, x.shape.length);
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  if (!axes) return [{ dtype: x.dtype, shape: keep ? x.shape.map(() => null) : undefined }];
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape, value: foldShapeValue(ctx.node.opType, x.value, x.shape.length, axes) }];
};

/** Reductions of a 1-D shape value (e.g. ReduceProd(Shape(x)) = the element count), where determined. */
function foldShapeValue(op: string, value: readonly Dim[] | undefined, rank: number, axes: readonly number[]): Dim[] | undefined {
  if (!value || rank !== 1 || axes.length !== 1 || value.length === 0) return undefined;
  if (op === 'ReduceProd') return [dimProduct(value)];
  if (!value.every((v): v is number => typeof v === 'number')) return undefined;
  if (op === 'ReduceSum') return [value.reduce((a, b) => a + b, 0)];
  if (op === 'ReduceMax') return [Math.max(...value)];
  if (op === 'ReduceMin') return [Math.min(...value)];
  return undefined;
}

export const argReduce: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: 7 }];
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), x.shape.length);
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  const shape = x.shape.flatMap((d, i) => (i !== axis ? [d] : keep ? [1] : []));
  return [{ dtype: 7, shape }];
};
