// The in-memory form every loader produces and the batcher consumes: raw 0..255 bytes in CHW
// order, one label byte per image. Bytes, not floats, because a float copy of CIFAR-10 would take
// 600 MB; conversion and augmentation happen per batch into a reused Float32Array.
import { DataError } from './errors';
import { OptionError } from '../core/option-error';

/** One split of a data set, fully in memory. */
export interface Dataset {
  /** Data set id, e.g. 'fashion-mnist', 'cifar10'. */
  readonly name: string;
  /** Which split this is ('train', 'test'), when known. */
  readonly split?: string;
  /** Number of classes; every label is below it. */
  readonly numClasses: number;
  /** Channels per image (1 for grey, 3 for RGB). */
  readonly channels: number;
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Number of images. */
  readonly length: number;
  /** All images back to back, each `channels × height × width` bytes in CHW order, values 0..255. */
  readonly images: Uint8Array;
  /** One class index per image. */
  readonly labels: Uint8Array;
  /** Human-readable class names, indexed by label. */
  readonly classNames?: readonly string[];
}

/** The train and test splits of one data set. */
export interface DatasetPair {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** One step of a slow load, for a progress display (the data layer never prints). */
export interface DataProgress {
  /** Data set id. */
  readonly dataset: string;
  /** What is happening: converting the source, writing or reading a cache, reading files. */
  readonly phase: 'convert' | 'write-cache' | 'read-cache' | 'read';
  /** One line for a human, e.g. 'converting clothes/3.json'. */
  readonly message: string;
  /** Units done so far (files, for conversion), when countable. */
  readonly done?: number;
  /** Units in total, when countable. */
  readonly total?: number;
}

/** Receives `DataProgress` events; must not throw. */
export type DataProgressCallback = (event: DataProgress) => void;

/** Bytes per image. */
export function imageSize(ds: Pick<Dataset, 'channels' | 'height' | 'width'>): number {
  return ds.channels * ds.height * ds.width;
}

/** Checks that sizes agree and every label is in range; throws `DataError` naming `source`. */
export function validateDataset(ds: Dataset, source = ds.name): void {
  const dims = [ds.channels, ds.height, ds.width, ds.numClasses];
  if (!dims.every((d) => Number.isInteger(d) && d > 0) || !Number.isInteger(ds.length) || ds.length < 0) {
    throw new DataError(`${source} has an invalid shape: expected positive integer channels, height, width and classes, found ${dims.join(', ')}`);
  }
  const want = ds.length * imageSize(ds);
  if (ds.images.length !== want) {
    throw new DataError(`${source} has ${ds.images.length} image bytes: expected ${want} (${ds.length} × ${ds.channels}×${ds.height}×${ds.width})`);
  }
  if (ds.labels.length !== ds.length) {
    throw new DataError(`${source} has ${ds.labels.length} labels: expected ${ds.length}, one per image`);
  }
  for (let i = 0; i < ds.length; i++) {
    if (ds.labels[i] >= ds.numClasses) {
      throw new DataError(`${source} has label ${ds.labels[i]} at index ${i}: expected labels below ${ds.numClasses}`);
    }
  }
  if (ds.classNames && ds.classNames.length !== ds.numClasses) {
    throw new DataError(`${source} has ${ds.classNames.length} class names: expected ${ds.numClasses}`);
  }
}

/**
 * A new data set holding copies of the images at `indices`, in that order (e.g. a quick-run
 * subset, or a validation split). Indices may repeat.
 */
export function subsetDataset(ds: Dataset, indices: ArrayLike<number>, split = ds.split): Dataset {
  const size = imageSize(ds);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= ds.length) throw new OptionError(`subset index ${i} is outside 0..${ds.length - 1}`);
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  return { ...ds, split, length: indices.length, images, labels };
}

/** Number of images of each class. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < ds.length; i++) counts[ds.labels[i]]++;
  return counts;
}
