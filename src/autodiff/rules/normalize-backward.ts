// Shared by the InstanceNormalization and GroupNormalization rules: x̂ = (X − μ)·r with
// r = 1/√(var + ε) recomputed from X over `axes` (those ops output no statistics), and the
// input gradient of y = x̂ under a cotangent g: dX = r·(g − mean(g) − x̂·mean(g·x̂)).
import { GraphBuilder } from '../../onnx/builder';

/** x̂ and r (r keeps the reduced axes as size 1), in X's type. */
export function normalizedInput(b: GraphBuilder, X: string, axes: readonly number[], epsilon: number): { xhat: string; r: string } {
  const centered = b.op('Sub', [X, b.reduce('ReduceMean', X, axes, true)]);
  const variance = b.reduce('ReduceMean', b.op('Mul', [centered, centered]), axes, true);
  const r = b.op('Reciprocal', [b.op('Sqrt', [b.op('Add', [variance, b.scalarLike(epsilon, X)])])]);
  return { xhat: b.op('Mul', [centered, r]), r };
}

/** dX of x̂ normalized over `axes`, given the cotangent g of x̂ (dY times the scale). */
export function normalizedInputGradient(b: GraphBuilder, g: string, xhat: string, r: string, axes: readonly number[]): string {
  const m1 = b.reduce('ReduceMean', g, axes, true);
  const m2 = b.reduce('ReduceMean', b.op('Mul', [g, xhat]), axes, true);
  return b.op('Mul', [b.op('Sub', [b.op('Sub', [g, m1]), b.op('Mul', [xhat, m2])]), r]);
}
