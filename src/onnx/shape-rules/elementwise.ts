// Shape rules of elementwise ops: unary ops keep the input fact, binary ops broadcast.
import { DataType } from '../dtype';
import { attrInt, Dim } from '../ir';
import { InferContext, ShapeRule, ValueFact, broadcastShapes, dimDivide, dimProduct } from '../shape-inference';

export const unary: ShapeRule = (ctx) => [{ dtype: ctx.req(0).dtype, shape: ctx.req(0).shape }];

/** Identity-like ops also carry known integer contents along. */
export const passThrough: ShapeRule = (ctx) => [ctx.req(0)];

const INT_OPS: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => Math.trunc(a / b),
  // ONNX integer Mod (fmod=0) takes the divisor's sign, like Python's % (Swin's padding amounts).
  Mod: (a, b) => ((a % b) + b) % b,
};

export const binary: ShapeRule = (ctx) => {
  const a = ctx.req(0);
  const b = ctx.req(1);
  const shape = broadcastShapes(ctx, [a.shape, b.shape]);
  return [{ dtype: a.dtype, shape, value: foldInts(ctx, a, b) }];
};

/** Integer arithmetic on shape values (e.g. batch * heads) so Reshape targets stay known. */
function foldInts(ctx: InferContext, a: ValueFact, b: ValueFact): Dim[] | undefined {
  const f = INT_OPS[ctx.node.opType];
  if (!f || !a.value || !b.value) return undefined;
  const n = Math.max(a.value.length, b.value.length);
  if (a.value.length !== n && a.value.length !== 1) return undefined;
  if (b.value.length !== n && b.value.length !== 1) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.value[a.value.length === 1 ? 0 : i];
    const y = b.value[b.value.length === 1 ? 0 : i];
    out.push(foldOne(ctx, f, x, y));
  }
  return out;
}

/** One element: numbers fold exactly; symbolic dims fold where the result is a product or exact quotient. */
function foldOne(ctx: InferContext, f: (a: number, b: number) => number, x: Dim, y: Dim): Dim {
  const op = ctx.node.opType;
  if (typeof x === 'number' && typeof y === 'number') {
    if ((op === 'Div' || op === 'Mod') && y === 0) return null;
    return op === 'Mod' && attrInt(ctx.node, 'fmod', 0) === 1 ? x % y : f(x, y);
  }
  if (x === null || y === null) return null;
  if (op === 'Mul') return dimProduct([x, y]);
  if (op === 'Div') return y === 1 ? x : dimDivide(x, y);
  if ((op === 'Add' || op === 'Sub') && y === 0) return x;
  if (op === 'Add' && x === 0) return y;
  return null;
}

export const compare: ShapeRule = (ctx) => {
  const a = ctx.req(0);
  const b = ctx.req(1);
  const shape = broadcastShapes(ctx, [a.shape, b.shape]);
  let value: Dim[] | undefined;
  if (ctx.node.opType === 'Equal' && a.value && b.value && a.value.length === b.value.length) {
    value = a.value.map((x, i) => (x !== null && x === b.value?.[i] ? 1 : typeof x === 'number' && typeof b.value?.[i] === 'number' ? 0 : null));
  }
  return [{ dtype: DataType.BOOL, shape, value }];
};

export const variadic: ShapeRule = (ctx) => {
  const facts = ctx.node.inputs.map((_, i) => ctx.req(i));
  return [{ dtype: facts[0].dtype, shape: broadcastShapes(ctx, facts.map((f) => f.shape)) }];
};

export const where: ShapeRule = (ctx) => {
  const [c, x, y] = [ctx.req(0), ctx.req(1), ctx.req(2)];
  let value: Dim[] | undefined;
  if (c.value && x.value && y.value && c.value.length === x.value.length && x.value.length === y.value.length) {
    value = c.value.map((k, i) => (k === null ? null : k ? (x.value as Dim[])[i] : (y.value as Dim[])[i]));
  }
  return [{ dtype: x.dtype, shape: broadcastShapes(ctx, [c.shape, x.shape, y.shape]), value }];
};

export const cast: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const toAttr = ctx.node.attributes.get('to');
  const dtype = ctx.node.opType === 'CastLike' ? ctx.req(1).dtype : toAttr?.type === 'int' ? (toAttr.value as DataType) : ctx.fail('Cast needs the attribute to');
  const intTarget = dtype === DataType.INT64 || dtype === DataType.INT32;
  return [{ dtype, shape: x.shape, value: intTarget ? x.value ?? x.floatValue?.map(Math.trunc) : undefined, floatValue: !intTarget && x.value?.every((v) => typeof v === 'number') ? (x.value as number[]) : undefined }];
};

export const boolUnary: ShapeRule = (ctx) => [{ dtype: DataType.BOOL, shape: ctx.req(0).shape }];
