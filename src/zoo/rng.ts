// The random source of weight initialization: sfc32 (Chris Doty-Humphrey's small fast counter
// generator), seeded through splitmix32. Every parameter draws from its own stream, derived from the
// model seed and the parameter's name, so a tensor's initial values do not depend on how many
// numbers other layers drew before it: adding a layer leaves the others' weights unchanged.

import { hashString, splitmix32 } from '../data/rng';
import { OptionError } from '../core/option-error';

const TWO_POW_32 = 4294967296;

/** Seeded uniform and Gaussian sampling for weight initialization. */
export class InitRng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  /** The second Box-Muller deviate, kept so each pair of uniforms yields two normals. */
  private spare: number | undefined;

  /**
   * @param seed any safe integer (both 32-bit halves are used).
   * @param stream names an independent stream for the same seed (the parameter's name).
   */
  constructor(seed: number, stream = '') {
    if (!Number.isSafeInteger(seed)) throw new OptionError(`the initialization seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let x = splitmix32(lo ^ splitmix32(hi ^ splitmix32(hashString(stream))));
    this.a = x;
    x = splitmix32(x);
    this.b = x;
    x = splitmix32(x);
    this.c = x;
    // sfc32 needs a few rounds before its output is well mixed.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** Next uniform integer in [0, 2^32). */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.nextFloat();
  }

  /** Standard normal deviate (Box-Muller, both deviates used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u1 = (this.nextU32() + 1) / (TWO_POW_32 + 1); // in (0, 1): the log stays finite
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}
