// The random numbers of crsam, one module for all: one seeding (splitmix32 over the seed's two
// 32-bit halves and a named stream, FNV-1a for stream names) and two generators on it. `Rng` is
// the generator of the data pipeline and the geometry estimators: xoshiro128** (Blackman & Vigna).
// Chosen because it needs only 32-bit integer arithmetic (fast in JavaScript, no BigInt), has a
// period of 2^128 - 1, and its whole state is four uint32 words, so a checkpoint can store it as
// JSON and restore the stream exactly. Every random decision (shuffle, crop, flip, cutout,
// synthetic data) draws from an `Rng`, so one seed fixes a whole run.
import { OptionError } from './option-error';

/** The complete, JSON-safe state of an `Rng`. */
export interface RngState {
  readonly kind: 'xoshiro128**';
  /** The four state words, each an integer in [0, 2^32). Never all zero. */
  readonly s: readonly [number, number, number, number];
}

const TWO_POW_32 = 4294967296;

/** splitmix32 finalizer: spreads the bits of the seed so nearby seeds give unrelated streams. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a (32 bit) over UTF-16 code units: turns a stream name into a number to mix into the seed; also a cheap stable fingerprint (not for security). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The first `count` state words of a generator for (seed, stream): splitmix32 chained through both
 * 32-bit halves of the seed and the stream, so every input bit affects all state words, then
 * through each word to the next.
 */
function seedWords(seed: number, stream: string | number, count: number): number[] {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  const st = typeof stream === 'number' ? stream >>> 0 : hashString(stream);
  const words = [splitmix32(lo ^ splitmix32(hi ^ splitmix32(st)))];
  while (words.length < count) words.push(splitmix32(words[words.length - 1]));
  return words;
}

/** Seeded xoshiro128** generator with exact state capture and restore. */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed any safe integer (both 32-bit halves are used).
   * @param stream names an independent stream for the same seed (e.g. 'train-loader'), so parts
   *   of a run that consume randomness at different rates do not disturb each other.
   */
  constructor(seed = 0, stream: string | number = 0) {
    if (!Number.isSafeInteger(seed)) throw new OptionError(`Rng seed must be a safe integer, got ${seed}`);
    [this.s0, this.s1, this.s2, this.s3] = seedWords(seed, stream, 4);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator that continues exactly from `state`. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** Next uniform integer in [0, 2^32). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Next uniform float in [0, 1), with 32 random bits. */
  nextFloat(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Next uniform integer in [0, n), without modulo bias (rejection sampling). 1 <= n <= 2^32. */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32) || !Number.isInteger(n)) throw new RangeError(`nextInt bound must be an integer in [1, 2^32], got ${n}`);
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** Next standard normal deviate (Box-Muller; uses two draws and discards the second deviate so state stays simple). */
  nextGaussian(): number {
    const u1 = (this.nextU32() + 1) / (TWO_POW_32 + 1); // in (0, 1): log stays finite
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Shuffles `a` in place (Fisher-Yates), drawing n - 1 integers. */
  shuffle(a: { [i: number]: number; readonly length: number }): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** A copy of the current state; restoring it replays the same numbers. */
  getState(): RngState {
    return { kind: 'xoshiro128**', s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  /** Restores a state from `getState` (for example one read back from a JSON checkpoint). */
  setState(state: RngState): void {
    const s = state.s;
    if (state.kind !== 'xoshiro128**' || !Array.isArray(s) || s.length !== 4 ||
        !s.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) || s.every((w) => w === 0)) {
      throw new OptionError('not an xoshiro128** state: expected kind "xoshiro128**" and four uint32 words, not all zero');
    }
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// The generator of weight initialization: sfc32 (Chris Doty-Humphrey's small fast counter
// generator) on the same seeding. Every parameter draws from its own stream, derived from the
// model seed and the parameter's name, so a tensor's initial values do not depend on how many
// numbers other layers drew before it: adding a layer leaves the others' weights unchanged. It
// stays a separate generator from `Rng` because the committed zoo models (models/) were drawn from
// it: switching generators would change every seeded initialization.
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
    [this.a, this.b, this.c] = seedWords(seed, stream, 3);
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
