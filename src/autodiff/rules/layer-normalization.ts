// dX = r·(g − mean(g) − x̂·mean(g·x̂)) with g = dY·γ, x̂ = (X − μ)·r, r = 1/√(var + ε); dγ = dY·x̂, dβ = dY
// μ and r are the node's Mean/InvStdDev outputs (added to it when absent), recomputed only where they are
// stored less precisely than X (double X, float stash). dX also takes the Mean/InvStdDev outputs' gradients.
import { DataType } from '../../onnx/dtype';
import { attrFloat, attrInt } from '../../onnx/ir';
import { dimProduct } from '../../onnx/shape-inference';
import { AutodiffError, GradContext, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

/** X − μ and r over `axes`, in X's type. */
function statistics({ b, node, x, dtype }: GradContext, axes: number[]): [string, string] {
  const X = x(0);
  const T = dtype(X);
  const stash = attrInt(node, 'stash_type', DataType.FLOAT) as DataType;
  if (T === DataType.DOUBLE && stash !== DataType.DOUBLE) {
    const centered = b.op('Sub', [X, b.reduce('ReduceMean', X, axes, true)]);
    const variance = b.reduce('ReduceMean', b.op('Mul', [centered, centered]), axes, true);
    const eps = b.scalarLike(attrFloat(node, 'epsilon', 1e-5), X);
    return [centered, b.op('Reciprocal', [b.op('Sqrt', [b.op('Add', [variance, eps])])])];
  }
  const shape = b.shape(X)?.map((d, i) => (i < axes[0] ? d : 1));
  const [mean, invStd] = [1, 2].map((k) => {
    if (!node.outputs[k]) {
      node.outputs[k] = b.fresh(`${node.name}_${k === 1 ? 'mean' : 'inv_std_dev'}`);
      b.facts.set(node.outputs[k], { dtype: stash, shape });
    }
    return dtype(node.outputs[k]) === T ? node.outputs[k] : b.op('Cast', [node.outputs[k]], { to: attr.int(T) });
  });
  return [b.op('Sub', [X, mean]), invStd];
}

export const layerNormalization: GradientRule = (ctx) => {
  const { b, dOut, dtype, needs, node, x } = ctx;
  const [dy, dMean, dInvStd] = dOut;
  const X = x(0);
  const rank = b.rank(X);
  const axis = attrInt(node, 'axis', -1);
  const first = axis < 0 ? axis + rank : axis;
  const axes = Array.from({ length: rank - first }, (_, i) => first + i);
  if (!needs[0] && !needs[1]) return [undefined, undefined, dy];
  const [centered, r] = statistics(ctx, axes);
  const xhat = b.op('Mul', [centered, r]);
  const terms: string[] = [];
  if (needs[0] && dy) {
    const g = b.op('Mul', [dy, x(1)]);
    const m1 = b.reduce('ReduceMean', g, axes, true);
    const m2 = b.reduce('ReduceMean', b.op('Mul', [g, xhat]), axes, true);
    terms.push(b.op('Mul', [b.op('Sub', [b.op('Sub', [g, m1]), b.op('Mul', [xhat, m2])]), r]));
  }
  if (needs[0] && (dMean || dInvStd)) {
    const n = dimProduct(axes.map((a) => b.shape(X)?.[a] ?? null));
    if (typeof n !== 'number') throw new AutodiffError(`LayerNormalization node '${node.name}': differentiating its Mean/InvStdDev outputs needs known normalized dims`);
    const scaled = (v: string, k: number) => b.op('Mul', [dtype(v) === dtype(X) ? v : b.op('Cast', [v], { to: attr.int(dtype(X)) }), b.scalarLike(k / n, X)]);
    // ∂μ/∂X = 1/n, ∂r/∂X = −r²·x̂/n
    if (dMean) terms.push(scaled(dMean, 1));
    if (dInvStd) terms.push(b.op('Mul', [xhat, b.op('Mul', [b.op('Mul', [r, r]), scaled(dInvStd, -1)])]));
  }
  const dX = terms.length > 1 ? b.op('Sum', terms) : terms[0];
  return [dX, needs[1] && dy ? b.op('Mul', [dy, xhat]) : undefined, dy];
};
