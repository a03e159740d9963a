// Options every zoo builder takes: what the data set dictates (input size, channels, classes) and
// how the weights are drawn.
import { OptionError } from '../core/option-error';

export interface CommonModelOptions {
  /** Height and width of the (square) input image in pixels. Default: per model (28 for MLP and LeNet-5, 32 for the CIFAR models, 224 for the ImageNet layouts). */
  readonly inputSize?: number;
  /** Channels of the input image. Default: per model (1 for MLP and LeNet-5, 3 otherwise). */
  readonly channels?: number;
  /** Number of classes, the width of the 'logits' output. Default: per model (10, or 1000 for the ImageNet layouts). */
  readonly numClasses?: number;
  /** Seed of the weight initialization; the same seed gives the same bytes. Default 0. */
  readonly seed?: number;
  /**
   * Whether to draw the random initial weights. Default true. false leaves them zero (constant
   * initializations such as BatchNorm's still apply): enough to count parameters or FLOPs of a
   * big model without paying for the sampling.
   */
  readonly initialize?: boolean;
}

/** The common options with every default resolved. */
export interface ResolvedCommon {
  /** Input height and width in pixels. */
  readonly inputSize: number;
  /** Input channels. */
  readonly channels: number;
  /** Width of the 'logits' output. */
  readonly numClasses: number;
  /** Seed of the weight initialization. */
  readonly seed: number;
  /** Whether random initial weights are drawn (false: zeros). */
  readonly initialize: boolean;
}

/** Fills in the common defaults and checks the values. */
export function resolveCommon(o: CommonModelOptions, defaults: { inputSize: number; channels: number; numClasses: number }): ResolvedCommon {
  const r: ResolvedCommon = {
    inputSize: o.inputSize ?? defaults.inputSize,
    channels: o.channels ?? defaults.channels,
    numClasses: o.numClasses ?? defaults.numClasses,
    seed: o.seed ?? 0,
    initialize: o.initialize ?? true,
  };
  positiveInt('inputSize', r.inputSize);
  positiveInt('channels', r.channels);
  positiveInt('numClasses', r.numClasses);
  if (!Number.isSafeInteger(r.seed)) throw new OptionError(`seed must be a safe integer, got ${r.seed}`);
  return r;
}

export function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new OptionError(`${name} must be a positive integer, got ${v}`);
}
