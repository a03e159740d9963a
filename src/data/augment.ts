// Per-image augmentation and normalization from raw bytes into a caller's Float32Array batch
// buffer, with no allocation per image. The order matches the usual torchvision CIFAR pipeline:
// zero-pad + random crop, horizontal flip, ToTensor (/255), Normalize, then Cutout (as in DeVries &
// Taylor's code, which masks the normalized tensor, so the hole holds 0 = the channel mean; the
// crop's padding is black, byte 0, normalized like any other pixel).
import { Dataset } from './dataset';
import { DataError } from './errors';
import { Rng } from '../core/rng';
import { ChannelStats, statsFor } from './stats';

/** What to do to each image. With all random options off the result is deterministic. */
export interface AugmentOptions {
  /** Per-channel mean/std ([0, 1] pixel units): out = (byte / 255 - mean) / std. Default: none (out = byte / 255). */
  readonly normalize?: ChannelStats;
  /** Zero padding in pixels added on each side before cropping back to size at a uniform random offset; 0 disables. Default: 0. */
  readonly cropPadding?: number;
  /** Mirror left-right with probability 1/2. Default: false. */
  readonly flip?: boolean;
  /**
   * Cutout: side in pixels of one square hole, centre uniform over the image, clipped at the
   * borders. true means half the shorter image side (16 px on 32×32). 0 or false disables.
   * Default: false.
   */
  readonly cutout?: number | boolean;
}

/** Shape of the images an `Augmenter` handles. */
export interface ImageShape {
  /** Channels per image. */
  readonly channels: number;
  /** Height in pixels. */
  readonly height: number;
  /** Width in pixels. */
  readonly width: number;
}

/** Cutout side used for `cutout: true`: half the shorter side, so 16 px on 32×32 CIFAR. */
export function defaultCutoutSize(shape: ImageShape): number {
  return Math.max(1, Math.round(Math.min(shape.height, shape.width) / 2));
}

/**
 * Crop padding used by the presets: 4 px on 32×32 (CIFAR, as the paper), 2 px on 28×28 (objects fill
 * MNIST-style frames, and 4 px there left our demo ResNet underfitting), 1 px on tiny images.
 */
export function defaultCropPadding(shape: ImageShape): number {
  const side = Math.min(shape.height, shape.width);
  return side >= 32 ? 4 : Math.max(1, Math.round(side / 14));
}

/** Digit-like data sets, where a mirror image is a different (or no) class, get no flip. */
const NO_FLIP = new Set(['mnist', 'synthetic']);

/**
 * The training augmentation for a data set: its normalization, random crop with
 * `defaultCropPadding`, flip except for digits (and synthetic data, whose classes are not
 * mirror-symmetric), and Cutout only when asked (`cutout`).
 */
export function trainAugmentation(train: Dataset, cutout: number | boolean = false): AugmentOptions {
  return { normalize: statsFor(train.name, train), cropPadding: defaultCropPadding(train), flip: !NO_FLIP.has(train.name), cutout };
}

/** The evaluation transform for a data set: normalization only. */
export function evalAugmentation(train: Dataset): AugmentOptions {
  return { normalize: statsFor(train.name, train) };
}

/**
 * Applies `AugmentOptions` to one image at a time. Random draws per image, in this order, each
 * only when its option is on: crop row offset, crop column offset, flip, cutout centre row,
 * cutout centre column. Keeping the order fixed is what makes a seed reproduce a run.
 */
export class Augmenter {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Whether `apply` draws random numbers (and so needs an `Rng`). */
  readonly random: boolean;
  private readonly pad: number;
  private readonly flip: boolean;
  private readonly hole: number;
  /** byte → normalized value, 256 entries per channel: one lookup instead of a divide per pixel. */
  private readonly lut: Float32Array;

  constructor(shape: ImageShape, options: AugmentOptions = {}) {
    this.channels = shape.channels;
    this.height = shape.height;
    this.width = shape.width;
    const pad = options.cropPadding ?? 0;
    if (!Number.isInteger(pad) || pad < 0) throw new DataError(`crop padding is ${pad}: expected a whole number of pixels, 0 or more`);
    this.pad = pad;
    this.flip = options.flip ?? false;
    const cut = options.cutout ?? false;
    this.hole = cut === true ? defaultCutoutSize(shape) : cut === false ? 0 : cut;
    if (!Number.isInteger(this.hole) || this.hole < 0) throw new DataError(`cutout size is ${cut}: expected a whole number of pixels, 0 or more`);
    this.random = this.pad > 0 || this.flip || this.hole > 0;
    this.lut = new Float32Array(this.channels * 256);
    const stats = options.normalize;
    if (stats && (stats.mean.length !== this.channels || stats.std.length !== this.channels)) {
      throw new DataError(`normalization has ${stats.mean.length} means and ${stats.std.length} stds: expected ${this.channels}, one per channel`);
    }
    for (let c = 0; c < this.channels; c++) {
      const mean = stats ? stats.mean[c] : 0;
      const std = stats ? stats.std[c] : 1;
      if (!(std > 0)) throw new DataError(`normalization std of channel ${c} is ${std}: expected a positive number`);
      for (let v = 0; v < 256; v++) this.lut[c * 256 + v] = (v / 255 - mean) / std;
    }
  }

  /**
   * Writes the augmented, normalized image that starts at `src[srcOffset]` (bytes, CHW) to
   * `dst[dstOffset …]` (floats, CHW). `rng` is required when `random` is true.
   */
  apply(src: Uint8Array, srcOffset: number, dst: Float32Array, dstOffset: number, rng?: Rng): void {
    const H = this.height;
    const W = this.width;
    const plane = H * W;
    const lut = this.lut;
    if (!this.random) {
      for (let c = 0; c < this.channels; c++) {
        const l = c * 256;
        const s = srcOffset + c * plane;
        const d = dstOffset + c * plane;
        for (let p = 0; p < plane; p++) dst[d + p] = lut[l + src[s + p]];
      }
      return;
    }
    if (!rng) throw new Error('Augmenter.apply needs an Rng when crop, flip or cutout is on');
    // Offsets of the crop window relative to the unpadded image, in [-pad, pad].
    const dy = this.pad > 0 ? rng.nextInt(2 * this.pad + 1) - this.pad : 0;
    const dx = this.pad > 0 ? rng.nextInt(2 * this.pad + 1) - this.pad : 0;
    const flip = this.flip && rng.nextU32() >= 0x80000000;
    let y1 = 0, y2 = 0, x1 = 0, x2 = 0;
    if (this.hole > 0) {
      const cy = rng.nextInt(H);
      const cx = rng.nextInt(W);
      const half = Math.floor(this.hole / 2);
      y1 = Math.max(0, cy - half);
      y2 = Math.min(H, cy - half + this.hole);
      x1 = Math.max(0, cx - half);
      x2 = Math.min(W, cx - half + this.hole);
    }
    for (let c = 0; c < this.channels; c++) {
      const l = c * 256;
      const padValue = lut[l]; // the padding is black: byte 0, normalized
      const sBase = srcOffset + c * plane;
      const dBase = dstOffset + c * plane;
      for (let y = 0; y < H; y++) {
        const sy = y + dy;
        const dRow = dBase + y * W;
        if (sy < 0 || sy >= H) {
          dst.fill(padValue, dRow, dRow + W);
          continue;
        }
        const sRow = sBase + sy * W;
        // After the crop, flipping maps output column x to crop column W-1-x.
        for (let x = 0; x < W; x++) {
          const sx = (flip ? W - 1 - x : x) + dx;
          dst[dRow + x] = sx >= 0 && sx < W ? lut[l + src[sRow + sx]] : padValue;
        }
      }
      for (let y = y1; y < y2; y++) dst.fill(0, dBase + y * W + x1, dBase + y * W + x2);
    }
  }
}
