// dX = dY, with the reduced axes restored as size-1 dims when keepdims = 0  (the driver expands it to X's shape)
import { attrInt, attrInts, Dim } from '../../onnx/ir';
import { AutodiffError, GradContext, GradientRule } from '../types';

/** The axes a Reduce* node reduces over, normalized and sorted ([] for a no-op); from the attribute or the axes input. */
export function reducedAxes({ b, node, x }: GradContext): number[] {
  const rank = b.rank(x(0));
  let axes: readonly Dim[] | undefined = attrInts(node, 'axes');
  if (!axes && node.inputs[1]) axes = b.fact(x(1)).value ?? [null];
  if (!axes || axes.length === 0) return attrInt(node, 'noop_with_empty_axes', 0) ? [] : Array.from({ length: rank }, (_, i) => i);
  return axes.map((a) => {
    if (typeof a !== 'number') throw new AutodiffError(`${node.opType} node '${node.name}' needs constant axes to be differentiated`);
    return a < 0 ? a + rank : a;
  }).sort((p, q) => p - q);
}

/** `v`, shaped like the node's output, with the reduced axes present as size-1 dims (as keepdims = 1 leaves them). */
export function keptDims({ b, node }: GradContext, v: string, axes: readonly number[]): string {
  return attrInt(node, 'keepdims', 1) === 1 || axes.length === 0 ? v : b.unsqueeze(v, axes);
}

export const reduceSum: GradientRule = (ctx) => [keptDims(ctx, ctx.dOut[0] as string, reducedAxes(ctx))];
