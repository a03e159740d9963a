// Epoch iteration over a Dataset: shuffled (training) or in order (evaluation), batches written
// into reused buffers, and an async variant that builds batch k+1 while the consumer awaits its
// training step on batch k. The full iteration state (epoch, position, RNG) can be captured and
// restored, so a resumed run sees exactly the batches an uninterrupted one would have.
import { AugmentOptions, Augmenter, evalAugmentation, trainAugmentation } from './augment';
import { Dataset, DatasetPair, imageSize } from './dataset';
import { DataError } from './errors';
import { Rng, RngState } from '../core/rng';
import type { Batch, TensorLike } from '../runtime/batch';

/** The images of a batch: augmented, normalized, N·C·H·W floats in CHW order. */
export interface BatchImages extends TensorLike {
  readonly data: Float32Array;
  /** [N, C, H, W]; N is below the batch size only for a kept last partial batch. */
  readonly dims: readonly [number, number, number, number];
}

/** One mini-batch as the runtime takes it (runtime/batch.ts), and where it came from. */
export interface LoaderBatch extends Batch {
  /** The images, under the model's input name (the iteration's `input`, default {@link DEFAULT_INPUT}). */
  readonly inputs: Readonly<Record<string, BatchImages>>;
  /** Class index of each image (int64, as ONNX classification losses take them). */
  readonly labels: BigInt64Array;
  /** Index in the data set of each image. */
  readonly indices: Uint32Array;
  /** Epoch this batch belongs to, from 0. */
  readonly epoch: number;
  /** Position of this batch in its epoch, from 0. */
  readonly index: number;
}

/** The input name batches use when the iteration names none (the zoo models' input). */
export const DEFAULT_INPUT = 'input';

/** Options for `DataLoader`. */
export interface LoaderOptions {
  /** Images per batch. */
  readonly batchSize: number;
  /** Visit the images in a new random order each epoch (training) instead of in order. Default: false. */
  readonly shuffle?: boolean;
  /** Leave out an epoch's last batch when it has fewer than `batchSize` images. Default: false. */
  readonly dropLast?: boolean;
  /** Augmentation and normalization of every image. Default: {} (bytes scaled to [0, 1], nothing random). */
  readonly augment?: AugmentOptions;
  /** Seed of the loader's generator, `new Rng(seed, 'loader')`; ignored when `rng` is given. Default: 0. */
  readonly seed?: number;
  /**
   * Generator for shuffling and augmentation. Give the loader its own stream: prefetching draws
   * ahead of the consumer, so a generator shared with other code would make results depend on
   * timing. Default: `new Rng(seed, 'loader')`.
   */
  readonly rng?: Rng;
}

/** Where a loader stands, as plain JSON for checkpoints. */
export interface LoaderState {
  readonly kind: 'crsam-loader';
  /** Current epoch, from 0 (incremented as soon as an epoch's last batch is handed out). */
  readonly epoch: number;
  /** Images of the current epoch already handed out. */
  readonly position: number;
  /** Data set length, batch size and shuffle flag the state belongs to (checked on restore). */
  readonly length: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  /** Generator state at the start of the current epoch, before its shuffle (to rebuild the order). */
  readonly epochRng: RngState;
  /** Generator state after the last image handed out. */
  readonly rng: RngState;
}

interface Buffers {
  inputs: Float32Array;
  labels: BigInt64Array;
  labelWords: Int32Array;
  indices: Uint32Array;
}

type Produced = { ok: true; batch: LoaderBatch; after: LoaderState } | { ok: false; error: unknown };

// Labels are written as two int32 words: creating a BigInt per label would allocate per image.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function allocate(n: number, size: number): Buffers {
  const labels = new BigInt64Array(n);
  return { inputs: new Float32Array(n * size), labels, labelWords: new Int32Array(labels.buffer), indices: new Uint32Array(n) };
}

/**
 * Batches over one data set. Buffers are double-buffered: a batch's arrays stay valid until the
 * consumer asks for the next batch (they are reused for the batch after it), so copy anything
 * that must live longer.
 */
export class DataLoader {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** Images used per epoch (the whole set, or whole batches only when `dropLast`). */
  readonly samplesPerEpoch: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  private readonly augmenter: Augmenter;
  private readonly rng: Rng;
  private readonly order: Uint32Array;
  private orderReady = false;
  private epochRng: RngState;
  private currentEpoch = 0;
  private position = 0;
  // Two slots of buffers, each with a full-size set and (lazily) one for the partial last batch.
  private readonly slots: { full: Buffers | null; partial: Buffers | null }[] = [{ full: null, partial: null }, { full: null, partial: null }];
  private slot = 0;
  /** State after the last batch handed out by `prefetch` (the live state runs one batch ahead). */
  private handed: LoaderState | null = null;
  private active = false;
  private produced = 0;

  constructor(dataset: Dataset, options: LoaderOptions) {
    const b = options.batchSize;
    if (!Number.isInteger(b) || b < 1) throw new DataError(`batch size is ${b}: expected a whole number, 1 or more`);
    this.dataset = dataset;
    this.batchSize = b;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.samplesPerEpoch = this.dropLast ? Math.floor(dataset.length / b) * b : dataset.length;
    this.batchesPerEpoch = Math.ceil(this.samplesPerEpoch / b);
    if (this.batchesPerEpoch === 0) {
      const what = dataset.split ? `the ${dataset.split} split of ${dataset.name}` : dataset.name;
      const why = this.dropLast ? ` to form one batch of ${b}, since the last partial batch is dropped` : ' to form a batch';
      throw new DataError(`${what} has ${dataset.length} images: expected at least ${this.dropLast ? b : 1}${why}`);
    }
    this.augmenter = new Augmenter(dataset, options.augment ?? {});
    this.rng = options.rng ?? new Rng(options.seed ?? 0, 'loader');
    this.order = new Uint32Array(dataset.length);
    this.epochRng = this.rng.getState();
  }

  /** Epoch of the next batch to hand out, from 0. */
  get epoch(): number {
    return (this.handed ?? this.liveState()).epoch;
  }

  /** Batches built so far, prefetched ones included (for tests and diagnostics). */
  get batchesProduced(): number {
    return this.produced;
  }

  /** The next batch, built now, its images under `input`. Not allowed while a `prefetch` iteration is running. */
  nextBatch(input = DEFAULT_INPUT): LoaderBatch {
    this.assertIdle('nextBatch');
    return this.produce(input);
  }

  /**
   * The remaining batches of the current epoch, built on demand. Each is valid until the next
   * is requested, so collect copies (`Array.from(loader.batches(), copyFn)`), not the batches.
   */
  *batches(input = DEFAULT_INPUT): Generator<LoaderBatch, void, undefined> {
    const epoch = this.currentEpoch;
    while (this.currentEpoch === epoch) yield this.nextBatch(input);
  }

  /**
   * The remaining batches of the current epoch; each next batch is built (via setImmediate)
   * while the consumer awaits work on the current one, such as an ONNX Runtime `run`, which
   * computes off the main thread. Ending the loop early (break, throw) discards the prefetched
   * batch and rewinds, so `getState` and the next iteration continue right after the last batch
   * the consumer received.
   */
  async *prefetch(input = DEFAULT_INPUT): AsyncGenerator<LoaderBatch, void, undefined> {
    this.assertIdle('prefetch');
    this.active = true;
    const epoch = this.currentEpoch;
    let pending: Promise<Produced> | null = this.produceSoon(input);
    try {
      while (pending) {
        const got: Produced = await pending;
        pending = null;
        if (!got.ok) throw got.error;
        if (this.currentEpoch === epoch) pending = this.produceSoon(input);
        this.handed = got.after;
        yield got.batch;
      }
    } finally {
      if (pending) {
        await pending; // never rejects; its batch was not handed out, so undo it
        if (this.handed) this.restore(this.handed);
      }
      this.handed = null;
      this.active = false;
    }
  }

  /** The state after the last batch handed out; `setState` with it replays what follows exactly. */
  getState(): LoaderState {
    return this.handed ?? this.liveState();
  }

  /** Continues from a state taken by `getState` on a loader over the same data and options. */
  setState(state: LoaderState): void {
    this.assertIdle('setState');
    if (state.kind !== 'crsam-loader') throw new DataError(`the loader state has kind ${String(state.kind)}: expected 'crsam-loader'`);
    if (state.length !== this.dataset.length || state.batchSize !== this.batchSize || state.shuffle !== this.shuffle) {
      throw new DataError(`the loader state is for ${state.length} images in batches of ${state.batchSize}${state.shuffle ? ', shuffled' : ''}: expected ${this.dataset.length} images in batches of ${this.batchSize}${this.shuffle ? ', shuffled' : ''}`);
    }
    if (!Number.isInteger(state.epoch) || state.epoch < 0 || !Number.isInteger(state.position) || state.position < 0 ||
        state.position >= this.samplesPerEpoch || state.position % this.batchSize !== 0) {
      throw new DataError(`the loader state is at epoch ${state.epoch}, image ${state.position}: expected a batch boundary below ${this.samplesPerEpoch}`);
    }
    this.restore(state);
  }

  private assertIdle(what: string): void {
    if (this.active) throw new Error(`DataLoader.${what} cannot run while a prefetch iteration is in progress`);
  }

  private liveState(): LoaderState {
    const rng = this.rng.getState();
    return {
      kind: 'crsam-loader', epoch: this.currentEpoch, position: this.position, length: this.dataset.length,
      batchSize: this.batchSize, shuffle: this.shuffle, epochRng: this.orderReady ? this.epochRng : rng, rng,
    };
  }

  private restore(state: LoaderState): void {
    this.currentEpoch = state.epoch;
    this.position = state.position;
    if (state.position > 0) {
      // Rebuild this epoch's order from the generator state it was drawn with.
      this.rng.setState(state.epochRng);
      this.startEpoch();
    } else {
      this.orderReady = false;
    }
    this.rng.setState(state.rng);
  }

  private startEpoch(): void {
    this.epochRng = this.rng.getState();
    const order = this.order;
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) this.rng.shuffle(order);
    this.orderReady = true;
  }

  private buffersFor(n: number): Buffers {
    const slot = this.slots[this.slot];
    this.slot ^= 1;
    const size = imageSize(this.dataset);
    if (n === this.batchSize) return (slot.full ??= allocate(n, size));
    if (!slot.partial || slot.partial.indices.length !== n) slot.partial = allocate(n, size);
    return slot.partial;
  }

  private produce(input: string): LoaderBatch {
    if (!this.orderReady) this.startEpoch();
    const ds = this.dataset;
    const size = imageSize(ds);
    const start = this.position;
    const n = Math.min(this.batchSize, this.samplesPerEpoch - start);
    const buf = this.buffersFor(n);
    for (let k = 0; k < n; k++) {
      const i = this.order[start + k];
      buf.indices[k] = i;
      this.augmenter.apply(ds.images, i * size, buf.inputs, k * size, this.rng);
      if (LITTLE_ENDIAN) {
        buf.labelWords[2 * k] = ds.labels[i];
        buf.labelWords[2 * k + 1] = 0;
      } else {
        buf.labels[k] = BigInt(ds.labels[i]);
      }
    }
    const batch: LoaderBatch = {
      inputs: { [input]: { data: buf.inputs, dims: [n, ds.channels, ds.height, ds.width] } }, labels: buf.labels, indices: buf.indices,
      epoch: this.currentEpoch, index: start / this.batchSize,
    };
    this.position += n;
    this.produced++;
    if (this.position >= this.samplesPerEpoch) {
      this.currentEpoch++;
      this.position = 0;
      this.orderReady = false;
    }
    return batch;
  }

  /** Builds the next batch on a later turn of the event loop; resolves (never rejects) with it or the error. */
  private produceSoon(input: string): Promise<Produced> {
    return new Promise((resolve) => {
      setImmediate(() => {
        try {
          const batch = this.produce(input);
          resolve({ ok: true, batch, after: this.liveState() });
        } catch (error) {
          resolve({ ok: false, error });
        }
      });
    });
  }
}

/** Options for `makeLoaders`. */
export interface LoadersOptions {
  /** Training batch size. */
  readonly batchSize: number;
  /** Evaluation batch size. Default: `batchSize`. */
  readonly evalBatchSize?: number;
  /** Seed of the training loader's generator. Default: 0. */
  readonly seed?: number;
  /** Cutout on training images (see `AugmentOptions.cutout`). Default: false. */
  readonly cutout?: number | boolean;
  /** Training augmentation instead of the data set's preset (`trainAugmentation`). Default: the preset. */
  readonly augment?: AugmentOptions;
  /** Drop the last partial training batch. Default: false. */
  readonly dropLast?: boolean;
}

/**
 * The usual pair: a shuffled, augmented training loader and an in-order, normalize-only test
 * loader, both normalized with the training split's statistics.
 */
export function makeLoaders(pair: DatasetPair, options: LoadersOptions): { train: DataLoader; test: DataLoader } {
  const augment = options.augment ?? trainAugmentation(pair.train, options.cutout ?? false);
  return {
    train: new DataLoader(pair.train, { batchSize: options.batchSize, shuffle: true, dropLast: options.dropLast ?? false, augment, seed: options.seed ?? 0 }),
    test: evalLoader(pair.test, pair.train, options.evalBatchSize ?? options.batchSize, options.augment),
  };
}

/**
 * Images per evaluation batch, for `runTraining` and `crsam train` (and `crsam eval`'s and `crsam
 * landscape`'s batches). 500 divides the usual split sizes (10,000 test, 5,000 validation images),
 * so no batch is ragged, and it is what every run of the command line used.
 */
export const DEFAULT_EVAL_BATCH_SIZE = 500;

/** An in-order, not augmented loader over `split`, normalized as training on `train` normalizes (or as `augment` says). */
export function evalLoader(split: Dataset, train: Dataset, batchSize: number, augment?: AugmentOptions): DataLoader {
  return new DataLoader(split, { batchSize, augment: { normalize: (augment ?? evalAugmentation(train)).normalize } });
}
