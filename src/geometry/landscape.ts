// Loss landscapes as Li et al. (2018) draw them: random Gaussian directions, rescaled filter by
// filter to the norm of the matching filter of the weights (filter normalization), and the loss
// on a 1-D or 2-D grid of w + α·d₁ (+ β·d₂). As in their code, parameters with at most one
// dimension (biases, BatchNorm scale and shift) get a zero direction unless asked, and then the
// direction equals the weights themselves. BatchNorm runs on running statistics throughout.
import { Rng } from '../core/rng';
import { GeometryError } from './errors';
import { GeometryOracle } from './oracle';
import { LANDSCAPE_OPTIONS, LANDSCAPE_RESOLUTION } from './geometry-options';
import { dot, norm } from '../optim/vector';
import { fillGaussian } from './probes';

/** A parameter tensor as a view into the flat vector. */
export interface ParamView {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface DirectionOptions {
  /** Seed of the Gaussian draws. Default: 0. */
  readonly seed?: number;
  /** Give biases and BatchNorm parameters (tensors of rank ≤ 1) a direction: the weights themselves (Li et al.'s 'biasbn'). Default: false (zero). */
  readonly includeBiasAndNorm?: boolean;
  /** 'filter' (Li et al.) or 'none' (raw Gaussian). Default: 'filter'. */
  readonly normalization?: 'filter' | 'none';
}

/**
 * One random direction over the parameters laid out as `views` (views into the weights w), with
 * filter normalization: each slice along a tensor's first axis (a conv filter, a row of a linear
 * layer's weight) gets the norm of the same slice of w.
 */
export function randomDirection(views: readonly ParamView[], size: number, stream: string, options: DirectionOptions = {}): Float32Array {
  const rng = new Rng(options.seed ?? LANDSCAPE_OPTIONS.seed.default, stream);
  const d = new Float32Array(size);
  let offset = 0;
  for (const v of views) {
    const part = d.subarray(offset, offset + v.data.length);
    offset += v.data.length;
    // Draw for every tensor, used or not, so a direction does not depend on includeBiasAndNorm.
    fillGaussian(rng, part);
    if (v.dims.length <= 1) {
      if (options.includeBiasAndNorm ?? LANDSCAPE_OPTIONS['bias-bn'].default) part.set(v.data);
      else part.fill(0);
      continue;
    }
    if ((options.normalization ?? LANDSCAPE_OPTIONS.normalization.default) === 'none') continue;
    const filters = v.dims[0];
    const per = v.data.length / filters;
    for (let f = 0; f < filters; f++) {
      const df = part.subarray(f * per, (f + 1) * per);
      const wf = v.data.subarray(f * per, (f + 1) * per);
      const ratio = norm(wf) / (norm(df) + 1e-10);
      for (let i = 0; i < df.length; i++) df[i] *= ratio;
    }
  }
  if (offset !== size) throw new GeometryError(`the parameter views cover ${offset} values but the model has ${size}`);
  return d;
}

export interface LandscapeOptions extends DirectionOptions {
  /** 1: a slice along one direction; 2: a surface over two. Default: 2. */
  readonly dimensions?: 1 | 2;
  /** The grid spans [−range, range] along each direction (in units of the direction). Default: 1. */
  readonly range?: number;
  /** Grid points per axis (odd keeps the origin on the grid). Default: 21 in 2-D, 51 in 1-D. */
  readonly resolution?: number;
  /** Called after each grid point. Default: none. */
  readonly onPoint?: (done: number, total: number) => void;
}

export interface Landscape {
  readonly dimensions: 1 | 2;
  /** Coordinates along direction 1. */
  readonly x: readonly number[];
  /** Coordinates along direction 2 (2-D only; empty in 1-D). */
  readonly y: readonly number[];
  /** loss[i][j] at (x[i], y[j]); in 1-D one column (loss[i][0]). */
  readonly loss: readonly (readonly number[])[];
  readonly accuracy: readonly (readonly number[])[];
  /** Loss and accuracy at the weights themselves (computed directly, not from the grid). */
  readonly origin: { readonly loss: number; readonly accuracy: number };
  readonly directions: {
    readonly seed: number;
    readonly normalization: 'filter' | 'none';
    readonly includeBiasAndNorm: boolean;
    /** ‖d₁‖, ‖d₂‖ and the cosine between them (≈ 0: random high-dimensional directions are nearly orthogonal). */
    readonly norms: readonly number[];
    readonly cosine: number;
  };
  /** Samples the losses average over. */
  readonly samples: number;
}

function linspace(range: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? 0 : -range + (2 * range * i) / (n - 1)));
}

/** The loss landscape around w over the oracle's batches. */
export async function lossLandscape(oracle: GeometryOracle, w: Float32Array, views: readonly ParamView[], options: LandscapeOptions = {}): Promise<Landscape> {
  const dims = options.dimensions ?? 2;
  const range = options.range ?? LANDSCAPE_OPTIONS.range.default;
  const resolution = options.resolution ?? LANDSCAPE_RESOLUTION[dims];
  if (dims !== 1 && dims !== 2) throw new GeometryError(`a landscape has 1 or 2 dimensions, not ${String(dims)}`);
  if (!(range > 0)) throw new GeometryError(`the landscape range must be above 0, got ${range}`);
  if (!(Number.isInteger(resolution) && resolution >= 2)) throw new GeometryError(`the landscape resolution must be a whole number ≥ 2, got ${resolution}`);
  const d1 = randomDirection(views, oracle.size, 'landscape-1', options);
  const d2 = dims === 2 ? randomDirection(views, oracle.size, 'landscape-2', options) : new Float32Array(oracle.size);
  const x = linspace(range, resolution);
  const y = dims === 2 ? linspace(range, resolution) : [0];
  const at = new Float32Array(oracle.size);
  const loss: number[][] = [];
  const accuracy: number[][] = [];
  const total = x.length * y.length;
  let done = 0;
  for (const a of x) {
    const lr: number[] = [];
    const ar: number[] = [];
    for (const c of y) {
      for (let i = 0; i < at.length; i++) at[i] = w[i] + a * d1[i] + c * d2[i];
      const r = await oracle.evaluate(at);
      lr.push(r.loss);
      ar.push(r.accuracy);
      options.onPoint?.(++done, total);
    }
    loss.push(lr);
    accuracy.push(ar);
  }
  const origin = await oracle.evaluate(w);
  const n1 = norm(d1);
  const n2 = norm(d2);
  let samples = 0;
  for (let i = 0; i < oracle.batchCount; i++) samples += oracle.batchSamples(i);
  return {
    dimensions: dims, x, y: dims === 2 ? y : [], loss, accuracy, origin, samples,
    directions: {
      seed: options.seed ?? LANDSCAPE_OPTIONS.seed.default, normalization: options.normalization ?? LANDSCAPE_OPTIONS.normalization.default, includeBiasAndNorm: options.includeBiasAndNorm ?? LANDSCAPE_OPTIONS['bias-bn'].default,
      norms: dims === 2 ? [n1, n2] : [n1], cosine: dims === 2 && n1 > 0 && n2 > 0 ? dot(d1, d2) / (n1 * n2) : 0,
    },
  };
}
