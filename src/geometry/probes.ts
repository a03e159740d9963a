// Random probe and start vectors of the estimators, drawn from the data pipeline's seeded Rng so
// one seed reproduces every trace, eigenvalue and density estimate.
import { Rng } from '../core/rng';

/** Fills `out` with independent ±1 entries (Rademacher), 32 per random word. */
export function fillRademacher(rng: Rng, out: Float32Array): void {
  for (let i = 0; i < out.length; i += 32) {
    const bits = rng.nextU32();
    const end = Math.min(out.length, i + 32);
    for (let k = i; k < end; k++) out[k] = (bits >>> (k - i)) & 1 ? 1 : -1;
  }
}

/** Fills `out` with independent standard normal entries. */
export function fillGaussian(rng: Rng, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.nextGaussian();
}
