// CIFAR-10 and CIFAR-100 in their binary versions (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz)
// from a folder the user names. Records are label byte(s) followed by 3,072 pixel bytes: the
// 1,024 red, then green, then blue values of a 32×32 image in row-major order, which is already
// the CHW layout the batcher wants, so each record is copied as is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, DataProgressCallback, DatasetPair, validateDataset } from './dataset';
import { DataError } from './errors';

/** CIFAR-10 class names, indexed by label. */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** CIFAR-100 fine class names, indexed by fine label (alphabetical, as in fine_label_names.txt). */
export const CIFAR100_CLASSES: readonly string[] = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

/** CIFAR-100 coarse (superclass) names, indexed by coarse label (as in coarse_label_names.txt). */
export const CIFAR100_SUPERCLASSES: readonly string[] = [
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables',
  'household_electrical_devices', 'household_furniture', 'insects', 'large_carnivores',
  'large_man-made_outdoor_things', 'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores',
  'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
  'vehicles_1', 'vehicles_2',
];

const PIXELS = 3 * 32 * 32;

/** Options for `loadCifar10`. */
export interface Cifar10Options {
  /**
   * Records each file must hold. Default: 10000, as in every file of the official release;
   * a smaller value serves tests and hand-made subsets in the same format.
   */
  readonly recordsPerFile?: number;
  /** Receives a 'read' event per file. Default: none. */
  readonly onProgress?: DataProgressCallback;
}

/** Options for `loadCifar100`. */
export interface Cifar100Options {
  /** Which label becomes `labels`: the 100 fine classes or the 20 superclasses. Default: 'fine'. */
  readonly labels?: 'fine' | 'coarse';
  /** Records train.bin must hold. Default: 50000 (the official release). */
  readonly trainRecords?: number;
  /** Records test.bin must hold. Default: 10000 (the official release). */
  readonly testRecords?: number;
  /** Receives a 'read' event per file. Default: none. */
  readonly onProgress?: DataProgressCallback;
}

/**
 * The folder that holds `marker`: `dir` itself or its `sub` folder (the name the archive
 * extracts to), so users may name either.
 */
function resolveDir(dir: string, marker: string, sub: string, what: string, pythonMarker: string): string {
  if (!fs.existsSync(dir)) throw new DataError(`${dir} does not exist: expected a folder holding ${what}`);
  if (!fs.statSync(dir).isDirectory()) throw new DataError(`${dir} is not a folder: expected a folder holding ${what}`);
  if (fs.existsSync(path.join(dir, marker))) return dir;
  if (fs.existsSync(path.join(dir, sub, marker))) return path.join(dir, sub);
  if (fs.existsSync(path.join(dir, pythonMarker))) {
    throw new DataError(`${dir} holds the Python version of the data set: expected the binary version, a folder holding ${what}`);
  }
  return dir; // the per-file check names the first missing file
}

/** Reads a file that must be exactly `records` records of `recordSize` bytes. */
function readRecords(file: string, records: number, recordSize: number): Uint8Array {
  const expected = records * recordSize;
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new DataError(`${file} is not a file: expected ${expected} bytes (${records} records of ${recordSize} bytes)`);
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DataError(`${file} does not exist: expected ${expected} bytes (${records} records of ${recordSize} bytes)`);
    }
    throw err;
  }
  if (size < expected) throw new DataError(`${file} is truncated: expected ${expected} bytes, found ${size}`);
  if (size > expected) throw new DataError(`${file} is larger than expected: expected ${expected} bytes (${records} records of ${recordSize} bytes), found ${size}`);
  return fs.readFileSync(file);
}

interface Part {
  file: string;
  records: number;
}

/**
 * Concatenates the records of `parts` into one split. Each record has `labelBytes` label bytes;
 * the label at `labelAt` is kept and must be below `numClasses`.
 */
function readSplit(name: string, split: string, parts: Part[], labelBytes: number, labelAt: number, numClasses: number, classNames: readonly string[], onProgress?: DataProgressCallback): Dataset {
  const recordSize = labelBytes + PIXELS;
  const total = parts.reduce((a, p) => a + p.records, 0);
  const images = new Uint8Array(total * PIXELS);
  const labels = new Uint8Array(total);
  let k = 0;
  for (const [index, part] of parts.entries()) {
    onProgress?.({ dataset: name, phase: 'read', message: `reading ${part.file}`, done: index, total: parts.length });
    const bytes = readRecords(part.file, part.records, recordSize);
    for (let r = 0; r < part.records; r++, k++) {
      const at = r * recordSize;
      const label = bytes[at + labelAt];
      if (label >= numClasses) {
        throw new DataError(`${part.file} has label ${label} in record ${r}: expected labels below ${numClasses}, as in the ${name} binary format`);
      }
      labels[k] = label;
      images.set(bytes.subarray(at + labelBytes, at + recordSize), k * PIXELS);
    }
  }
  const ds: Dataset = { name, split, numClasses, channels: 3, height: 32, width: 32, length: total, images, labels, classNames };
  validateDataset(ds, name);
  return ds;
}

function checkCount(n: number, option: string): number {
  if (!Number.isInteger(n) || n < 1) throw new DataError(`${option} is ${n}: expected a positive whole number of records`);
  return n;
}

/**
 * CIFAR-10 (binary version): data_batch_1.bin … data_batch_5.bin (50,000 train) and
 * test_batch.bin (10,000 test), records of 1 label byte + 3,072 pixel bytes, images 3×32×32.
 * `dir` may be the extracted `cifar-10-batches-bin` folder or the folder that holds it.
 */
export function loadCifar10(dir: string, options: Cifar10Options = {}): DatasetPair {
  const what = 'data_batch_1.bin … data_batch_5.bin and test_batch.bin (CIFAR-10, binary version)';
  const root = resolveDir(dir, 'data_batch_1.bin', 'cifar-10-batches-bin', what, 'data_batch_1');
  const records = checkCount(options.recordsPerFile ?? 10000, 'recordsPerFile');
  const trainParts = [1, 2, 3, 4, 5].map((i) => ({ file: path.join(root, `data_batch_${i}.bin`), records }));
  const testParts = [{ file: path.join(root, 'test_batch.bin'), records }];
  return {
    train: readSplit('cifar10', 'train', trainParts, 1, 0, 10, CIFAR10_CLASSES, options.onProgress),
    test: readSplit('cifar10', 'test', testParts, 1, 0, 10, CIFAR10_CLASSES, options.onProgress),
  };
}

/**
 * CIFAR-100 (binary version): train.bin (50,000) and test.bin (10,000), records of a coarse
 * label byte, a fine label byte and 3,072 pixel bytes, images 3×32×32. `labels` holds the fine
 * labels (100 classes) unless `options.labels` is 'coarse' (20 superclasses). `dir` may be the
 * extracted `cifar-100-binary` folder or the folder that holds it.
 */
export function loadCifar100(dir: string, options: Cifar100Options = {}): DatasetPair {
  const what = 'train.bin and test.bin (CIFAR-100, binary version)';
  const root = resolveDir(dir, 'train.bin', 'cifar-100-binary', what, 'train');
  const coarse = options.labels === 'coarse';
  const numClasses = coarse ? 20 : 100;
  const names = coarse ? CIFAR100_SUPERCLASSES : CIFAR100_CLASSES;
  const labelAt = coarse ? 0 : 1;
  const train = [{ file: path.join(root, 'train.bin'), records: checkCount(options.trainRecords ?? 50000, 'trainRecords') }];
  const test = [{ file: path.join(root, 'test.bin'), records: checkCount(options.testRecords ?? 10000, 'testRecords') }];
  return {
    train: readSplit('cifar100', 'train', train, 2, labelAt, numClasses, names, options.onProgress),
    test: readSplit('cifar100', 'test', test, 2, labelAt, numClasses, names, options.onProgress),
  };
}
