// Global-norm gradient clipping with torch.nn.utils.clip_grad_norm_ semantics (L2 norm over all
// parameters together, which is what one flat vector gives us).
import { checkMaxNorm } from './validate';
import { norm, scale } from './vector';

/**
 * Scales `g` in place by `maxNorm/(‖g‖ + 1e-6)` when that factor is below 1 (PyTorch clamps the
 * factor at 1, so it never scales up) and returns ‖g‖ before clipping. A non-finite norm is
 * returned without touching `g`: scaling by NaN would silently wipe the gradient, and the caller
 * is the one that can report the cause. `preNorm`, when the caller already has ‖g‖, saves a pass.
 */
export function clipGradNorm(g: Float32Array, maxNorm: number, preNorm?: number): number {
  checkMaxNorm(maxNorm);
  const total = preNorm ?? norm(g);
  if (!Number.isFinite(total)) return total;
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) scale(g, coef);
  return total;
}
