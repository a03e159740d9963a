// A small, seeded, learnable data set for tests and smoke runs, so they need no download.
// Each class has a smooth random prototype per channel (a coarse 4×4 grid of random levels,
// bilinearly upsampled); a sample is its class prototype plus independent Gaussian pixel noise.
// Smooth prototypes keep classes recognizable after random crops, and the noise level sets how
// hard the task is: at the defaults a nearest-class-mean classifier fit on the train split
// scores over 90% on the test split (checked in the tests), so a model that trains learns it.
import { Dataset, DatasetPair, imageSize, validateDataset } from './dataset';
import { Rng } from '../core/rng';
import { OptionError } from '../core/option-error';

/** Options for `makeSyntheticDataset`. */
export interface SyntheticOptions {
  /** Number of classes. Default: 4. */
  readonly numClasses?: number;
  /** Channels per image. Default: 1. */
  readonly channels?: number;
  /** Image height in pixels. Default: 8. */
  readonly height?: number;
  /** Image width in pixels. Default: 8. */
  readonly width?: number;
  /** Training images (labels cycle through the classes, so classes are balanced). Default: 512. */
  readonly trainSize?: number;
  /** Test images. Default: 128. */
  readonly testSize?: number;
  /** Seed: the same options and seed give the same bytes. Default: 0. */
  readonly seed?: number;
  /** Standard deviation of the pixel noise, as a fraction of the 0..255 range. Default: 0.2. */
  readonly noise?: number;
}

const GRID = 4;

/** Class prototypes as floats in [0, 1], `numClasses × C × H × W`. */
function prototypes(rng: Rng, k: number, c: number, h: number, w: number): Float64Array {
  const out = new Float64Array(k * c * h * w);
  const grid = new Float64Array(GRID * GRID);
  for (let p = 0; p < k * c; p++) {
    for (let g = 0; g < grid.length; g++) grid[g] = rng.nextFloat();
    for (let y = 0; y < h; y++) {
      // Bilinear sample of the grid at the pixel centre; single-pixel axes sample the middle.
      const gy = h > 1 ? (y / (h - 1)) * (GRID - 1) : (GRID - 1) / 2;
      const y0 = Math.min(GRID - 2, Math.floor(gy));
      const fy = gy - y0;
      for (let x = 0; x < w; x++) {
        const gx = w > 1 ? (x / (w - 1)) * (GRID - 1) : (GRID - 1) / 2;
        const x0 = Math.min(GRID - 2, Math.floor(gx));
        const fx = gx - x0;
        const a = grid[y0 * GRID + x0] * (1 - fx) + grid[y0 * GRID + x0 + 1] * fx;
        const b = grid[(y0 + 1) * GRID + x0] * (1 - fx) + grid[(y0 + 1) * GRID + x0 + 1] * fx;
        out[p * h * w + y * w + x] = a * (1 - fy) + b * fy;
      }
    }
  }
  return out;
}

function positiveInt(v: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new OptionError(`synthetic ${what} must be an integer in 1..${max}, got ${v}`);
  return v;
}

/** A seeded synthetic train/test pair (name 'synthetic'); see the header for how it is made. */
export function makeSyntheticDataset(options: SyntheticOptions = {}): DatasetPair {
  const numClasses = positiveInt(options.numClasses ?? 4, 'numClasses', 256);
  const channels = positiveInt(options.channels ?? 1, 'channels');
  const height = positiveInt(options.height ?? 8, 'height');
  const width = positiveInt(options.width ?? 8, 'width');
  const trainSize = positiveInt(options.trainSize ?? 512, 'trainSize');
  const testSize = positiveInt(options.testSize ?? 128, 'testSize');
  const noise = options.noise ?? 0.2;
  if (!(noise >= 0)) throw new OptionError(`synthetic noise must be >= 0, got ${noise}`);
  const rng = new Rng(options.seed ?? 0, 'synthetic');
  const size = imageSize({ channels, height, width });
  // Prototypes use the middle half of the range, so noise rarely clips and classes differ in shape.
  const protos = prototypes(rng, numClasses, channels, height, width);
  const classNames = Array.from({ length: numClasses }, (_, i) => `class ${i}`);
  const make = (split: string, length: number): Dataset => {
    const images = new Uint8Array(length * size);
    const labels = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const label = i % numClasses;
      labels[i] = label;
      for (let p = 0; p < size; p++) {
        const v = 255 * (0.25 + 0.5 * protos[label * size + p] + noise * rng.nextGaussian());
        images[i * size + p] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
    const ds: Dataset = { name: 'synthetic', split, numClasses, channels, height, width, length, images, labels, classNames };
    validateDataset(ds);
    return ds;
  };
  return { train: make('train', trainSize), test: make('test', testSize) };
}
