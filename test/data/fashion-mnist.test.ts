// The default Fashion-MNIST is the official split: its files are checked against Zalando's
// published MD5s and against the SHA-256s the loader verifies, and anything else is refused.
import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  classCounts, computeChannelStats, DATASET_STATS, DataError, DatasetPair, DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, FASHION_MNIST_SHA256,
  fashionMnistSearchPath, findFashionMnistDir, loadDataset, loadFashionMnist,
} from '../../src/data';
import { idxBytes, makeTempDir, removeTempDir } from './helpers';

const BASES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

// Zalando's README publishes the MD5s of its .gz files. Debian's files are the same deflate data
// under a gzip header without the file name and with another time; these are the times of
// Zalando's headers (read from its repository's two label files; the image files' were found by
// search and are confirmed by the MD5 matching).
const PUBLISHED: Record<string, { md5: string; mtime: number }> = {
  'train-images-idx3-ubyte': { md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', mtime: 0x59a7e9de },
  'train-labels-idx1-ubyte': { md5: '25c81989df183df01b3e8a0aad5dffbe', mtime: 0x59a7e9de },
  't10k-images-idx3-ubyte': { md5: 'bef4ecab320f06d8554ea6380940ec79', mtime: 0x59a7e9f3 },
  't10k-labels-idx1-ubyte': { md5: 'bb300cfdad3c16e7a12a480ee83cd310', mtime: 0x59a7e9f3 },
};

/** Zalando's .gz bytes rebuilt from a .gz holding the same deflate data (a header written by hand). */
function withZalandoHeader(gz: Buffer, base: string): Buffer {
  const flags = gz[3];
  let body = 10;
  if (flags & 0x08) body = gz.indexOf(0, 10) + 1; // skip a stored name
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0x00, 0x03]);
  header.writeUInt32LE(PUBLISHED[base].mtime, 4);
  return Buffer.concat([header, Buffer.from(`${base}\0`, 'latin1'), gz.subarray(body)]);
}

describe('data/fashion-mnist', function () {
  this.timeout(60000);
  let pair: DatasetPair;
  let dir: string;
  before(() => {
    dir = findFashionMnistDir();
    pair = loadDataset('fashion-mnist');
  });

  it('finds the official files without flags and they are Zalando\'s, byte for byte', () => {
    expect(fashionMnistSearchPath({})).to.deep.equal([DEBIAN_FASHION_MNIST_DIR]);
    for (const base of BASES) {
      const gz = fs.readFileSync(path.join(dir, `${base}.gz`));
      expect(crypto.createHash('md5').update(withZalandoHeader(gz, base)).digest('hex'), base).to.equal(PUBLISHED[base].md5);
      // The SHA-256 the loader checks is that of these very bytes, decompressed.
      expect(crypto.createHash('sha256').update(zlib.gunzipSync(gz)).digest('hex'), base).to.equal(FASHION_MNIST_SHA256[base]);
    }
  });

  it('loads the official split in the official order', () => {
    const { train, test } = pair;
    expect(train).to.include({ name: 'fashion-mnist', split: 'train', length: 60000, channels: 1, height: 28, width: 28, numClasses: 10 });
    expect(test).to.include({ name: 'fashion-mnist', split: 'test', length: 10000 });
    expect(train.classNames).to.equal(FASHION_MNIST_CLASSES);
    expect(classCounts(train)).to.deep.equal(new Array<number>(10).fill(6000));
    expect(classCounts(test)).to.deep.equal(new Array<number>(10).fill(1000));
    // The loaded bytes are the files' bytes, in file order.
    const labels = zlib.gunzipSync(fs.readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'))).subarray(8);
    expect(Buffer.from(test.labels).equals(labels)).to.equal(true);
    // Zalando's README: the first training labels are 9 (ankle boot), 0, 0, 3, 0.
    expect(Array.from(train.labels.subarray(0, 5))).to.deep.equal([9, 0, 0, 3, 0]);
  });

  it('matches the documented normalization constants (numpy: 0.286041 / 0.353024)', () => {
    const s = computeChannelStats(pair.train);
    expect(s.mean[0]).to.be.closeTo(0.2860406, 1e-6);
    expect(s.std[0]).to.be.closeTo(0.3530242, 1e-6);
    expect(DATASET_STATS['fashion-mnist'].mean[0]).to.be.closeTo(s.mean[0], 1e-4);
    expect(DATASET_STATS['fashion-mnist'].std[0]).to.be.closeTo(s.std[0], 1e-4);
  });

  describe('refusals and look-up', () => {
    let tmp: string;
    beforeEach(() => { tmp = makeTempDir(); });
    afterEach(() => removeTempDir(tmp));

    const copyOfficial = (to: string): void => {
      fs.mkdirSync(to, { recursive: true });
      for (const base of BASES) fs.copyFileSync(path.join(dir, `${base}.gz`), path.join(to, `${base}.gz`));
    };

    it('refuses a file that is not the official one, saying where the official files come from', () => {
      copyOfficial(tmp);
      // A valid IDX file of the right shape whose first label is changed.
      const labels = zlib.gunzipSync(fs.readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz')));
      labels[8] = (labels[8] + 1) % 10;
      fs.rmSync(path.join(tmp, 't10k-labels-idx1-ubyte.gz'));
      fs.writeFileSync(path.join(tmp, 't10k-labels-idx1-ubyte'), labels);
      expect(() => loadFashionMnist({ dir: tmp })).to.throw(DataError, /t10k-labels-idx1-ubyte is not the official Fashion-MNIST t10k-labels-idx1-ubyte \(its contents have SHA-256 [0-9a-f]{12}…, expected 0402a96d92fd…\): install Debian's dataset-fashion-mnist package/);
      // Any other small data set in IDX form is refused too (it can be trained on as 'idx').
      const other = path.join(tmp, 'other');
      fs.mkdirSync(other);
      for (const p of ['train', 't10k']) {
        fs.writeFileSync(path.join(other, `${p}-images-idx3-ubyte`), idxBytes([1, 28, 28], new Array<number>(784).fill(1)));
        fs.writeFileSync(path.join(other, `${p}-labels-idx1-ubyte`), idxBytes([1], [0]));
      }
      expect(() => loadFashionMnist({ dir: other })).to.throw(DataError, 'is not the official Fashion-MNIST train-images-idx3-ubyte');
    });

    it('looks in $CRSAM_DATA_DIR/fashion-mnist before Debian\'s folder, and says where to get the files when none has them', () => {
      copyOfficial(path.join(tmp, 'fashion-mnist'));
      expect(findFashionMnistDir({ env: { CRSAM_DATA_DIR: tmp } })).to.equal(path.join(tmp, 'fashion-mnist'));
      expect(loadFashionMnist({ env: { CRSAM_DATA_DIR: tmp } }).test.length).to.equal(10000);
      expect(findFashionMnistDir({ dir: '/elsewhere', env: { CRSAM_DATA_DIR: tmp } })).to.equal('/elsewhere');
      const empty = path.join(tmp, 'empty');
      fs.mkdirSync(empty);
      const search = fashionMnistSearchPath({ CRSAM_DATA_DIR: empty });
      expect(search).to.deep.equal([path.join(empty, 'fashion-mnist'), empty, DEBIAN_FASHION_MNIST_DIR]);
      if (!fs.existsSync(DEBIAN_FASHION_MNIST_DIR)) {
        expect(() => findFashionMnistDir({ env: { CRSAM_DATA_DIR: empty } })).to.throw(DataError, 'dataset-fashion-mnist');
      }
    });
  });
});
