// Einsum's output: one dim per output label, each label's size read from the operands.
import { parseEinsum, labelSizes } from '../einsum';
import { attrString, Shape } from '../ir';
import { ShapeRule } from '../shape-inference';

export const einsum: ShapeRule = (ctx) => {
  const first = ctx.req(0);
  const shapes: Shape[] = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    const s = ctx.req(i).shape;
    if (!s) return [{ dtype: first.dtype }];
    shapes.push(s);
  }
  let eq;
  try {
    eq = parseEinsum(attrString(ctx.node, 'equation', ''), shapes.map((s) => s.length));
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
  const sizes = labelSizes(eq, shapes);
  return [{ dtype: first.dtype, shape: eq.output.map((l) => sizes.get(l) ?? null) }];
};
