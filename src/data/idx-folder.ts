// A user's own data set on disk, in the documented `idx` format (README, "Your own data"): a
// folder holding the four MNIST-layout IDX files — train-images-idx3-ubyte (uint8, N×H×W or
// N×C×H×W), train-labels-idx1-ubyte (uint8, N), and the same two with the t10k- prefix for the
// test split, each possibly gzipped — plus an optional classes.txt, one class name per line,
// which fixes the number of classes (else it is the largest label + 1). IDX because it is the
// simplest self-describing array file there is (a 4-byte magic, the dims, the bytes) and numpy
// users can write it in three lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, DataProgressCallback, DatasetPair, validateDataset } from './dataset';
import { DataError } from './errors';
import { loadIdxDataset } from './mnist';

/** Options for `loadIdxFolder`. */
export interface IdxFolderOptions {
  /**
   * Data set id put on the result. Default: 'idx:' and the folder's name (the prefix keeps a
   * folder called e.g. 'mnist' from being given MNIST's normalization constants).
   */
  readonly name?: string;
  /** Receives a 'read' event per file. Default: none. */
  readonly onProgress?: DataProgressCallback;
}

/** Loads a folder in the `idx` format described in this file's header. */
export function loadIdxFolder(dir: string, options: IdxFolderOptions = {}): DatasetPair {
  const name = options.name ?? `idx:${path.basename(path.resolve(dir))}`;
  const raw = loadIdxDataset(dir, { name, numClasses: 256, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const namesFile = path.join(dir, 'classes.txt');
  const classNames = fs.existsSync(namesFile) ? fs.readFileSync(namesFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : undefined;
  let maxLabel = -1;
  for (const ds of [raw.train, raw.test]) for (let i = 0; i < ds.length; i++) if (ds.labels[i] > maxLabel) maxLabel = ds.labels[i];
  const numClasses = classNames ? classNames.length : maxLabel + 1;
  if (numClasses < 1) throw new DataError(`${dir} holds no labels: expected at least one training image`);
  const { train, test } = raw;
  if (train.channels !== test.channels || train.height !== test.height || train.width !== test.width) {
    throw new DataError(`${dir} has training images of ${train.channels}×${train.height}×${train.width} but test images of ${test.channels}×${test.height}×${test.width}: expected the same shape`);
  }
  const fix = (ds: Dataset): Dataset => {
    const out: Dataset = { ...ds, numClasses, ...(classNames ? { classNames } : {}) };
    validateDataset(out, classNames ? `${dir} (${ds.split} labels against classes.txt)` : dir);
    return out;
  };
  return { train: fix(train), test: fix(test) };
}
