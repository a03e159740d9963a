import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR100_CLASSES, CIFAR100_SUPERCLASSES, CIFAR10_CLASSES, DataError, loadCifar10, loadCifar100 } from '../../src/data';
import { makeTempDir, removeTempDir, testBytes } from './helpers';

const PIXELS = 3072;

/** Records in the real format: label byte(s), then 1024 R, 1024 G, 1024 B bytes. */
function records(labels: number[][], seed: number): { bytes: Buffer; pixels: Uint8Array[] } {
  const pixels = labels.map((_, r) => testBytes(PIXELS, seed * 1000 + r + 1));
  const bytes = Buffer.concat(labels.map((l, r) => Buffer.concat([Buffer.from(l), Buffer.from(pixels[r])])));
  return { bytes, pixels };
}

describe('data/cifar', () => {
  let dir: string;
  before(() => { dir = makeTempDir(); });
  after(() => removeTempDir(dir));

  describe('CIFAR-10', () => {
    let root: string;
    const px: Uint8Array[][] = [];
    const lab: number[][] = [];
    before(() => {
      root = path.join(dir, 'c10');
      fs.mkdirSync(root);
      const files = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
      files.forEach((f, i) => {
        const labels = [[i % 10], [(i + 3) % 10], [9]];
        const { bytes, pixels } = records(labels, i);
        fs.writeFileSync(path.join(root, f), bytes);
        px.push(pixels);
        lab.push(labels.map((l) => l[0]));
      });
    });

    it('reads records in file order, labels and CHW pixels intact', () => {
      const { train, test } = loadCifar10(root, { recordsPerFile: 3 });
      expect(train).to.include({ name: 'cifar10', split: 'train', length: 15, channels: 3, height: 32, width: 32, numClasses: 10 });
      expect(train.classNames).to.equal(CIFAR10_CLASSES);
      expect(Array.from(train.labels)).to.deep.equal(lab.slice(0, 5).flat());
      expect(Array.from(test.labels)).to.deep.equal(lab[5]);
      // Record 2 of data_batch_3.bin is image 2*3+2 = 8.
      expect(Buffer.from(train.images.subarray(8 * PIXELS, 9 * PIXELS)).equals(Buffer.from(px[2][2]))).to.equal(true);
      expect(Buffer.from(test.images.subarray(0, PIXELS)).equals(Buffer.from(px[5][0]))).to.equal(true);
    });

    it('accepts the folder that holds cifar-10-batches-bin', () => {
      const parent = path.join(dir, 'parent');
      fs.mkdirSync(parent);
      fs.cpSync(root, path.join(parent, 'cifar-10-batches-bin'), { recursive: true });
      expect(loadCifar10(parent, { recordsPerFile: 3 }).train.length).to.equal(15);
    });

    it('names a truncated file with the expected size', () => {
      const copy = path.join(dir, 'trunc10');
      fs.cpSync(root, copy, { recursive: true });
      const file = path.join(copy, 'data_batch_3.bin');
      fs.truncateSync(file, 1200);
      expect(() => loadCifar10(copy, { recordsPerFile: 3 })).to.throw(DataError, `${file} is truncated: expected 9219 bytes, found 1200`);
      // With the official count the message gives the official size.
      expect(() => loadCifar10(copy)).to.throw(DataError, `${path.join(copy, 'data_batch_1.bin')} is truncated: expected 30730000 bytes, found 9219`);
    });

    it('names a missing file, a missing folder, a file that is too long and a bad label', () => {
      const copy = path.join(dir, 'missing10');
      fs.cpSync(root, copy, { recursive: true });
      fs.rmSync(path.join(copy, 'test_batch.bin'));
      expect(() => loadCifar10(copy, { recordsPerFile: 3 })).to.throw(DataError, `${path.join(copy, 'test_batch.bin')} does not exist: expected 9219 bytes (3 records of 3073 bytes)`);
      const none = path.join(dir, 'no-such-dir');
      expect(() => loadCifar10(none)).to.throw(DataError, `${none} does not exist: expected a folder holding data_batch_1.bin`);
      fs.appendFileSync(path.join(copy, 'data_batch_2.bin'), Buffer.alloc(5));
      expect(() => loadCifar10(copy, { recordsPerFile: 3 })).to.throw(DataError, 'data_batch_2.bin is larger than expected: expected 9219 bytes (3 records of 3073 bytes), found 9224');
      const bad = path.join(dir, 'badlabel');
      fs.cpSync(root, bad, { recursive: true });
      const f = path.join(bad, 'data_batch_1.bin');
      const b = fs.readFileSync(f);
      b[3073] = 10;
      fs.writeFileSync(f, b);
      expect(() => loadCifar10(bad, { recordsPerFile: 3 })).to.throw(DataError, `${f} has label 10 in record 1: expected labels below 10`);
    });

    it('points out the Python version', () => {
      const py = path.join(dir, 'cifar-10-batches-py');
      fs.mkdirSync(py);
      fs.writeFileSync(path.join(py, 'data_batch_1'), 'pickle');
      expect(() => loadCifar10(py)).to.throw(DataError, 'holds the Python version');
    });
  });

  describe('CIFAR-100', () => {
    let root: string;
    let trainPx: Uint8Array[];
    before(() => {
      root = path.join(dir, 'c100');
      fs.mkdirSync(root);
      const tr = records([[3, 99], [19, 0], [0, 42], [7, 7]], 1);
      trainPx = tr.pixels;
      fs.writeFileSync(path.join(root, 'train.bin'), tr.bytes);
      fs.writeFileSync(path.join(root, 'test.bin'), records([[5, 50], [6, 60]], 2).bytes);
    });

    it('uses the fine labels by default and the coarse ones on request', () => {
      const fine = loadCifar100(root, { trainRecords: 4, testRecords: 2 });
      expect(fine.train).to.include({ name: 'cifar100', length: 4, numClasses: 100 });
      expect(Array.from(fine.train.labels)).to.deep.equal([99, 0, 42, 7]);
      expect(Array.from(fine.test.labels)).to.deep.equal([50, 60]);
      expect(fine.train.classNames).to.equal(CIFAR100_CLASSES);
      expect(Buffer.from(fine.train.images.subarray(3 * PIXELS)).equals(Buffer.from(trainPx[3]))).to.equal(true);
      const coarse = loadCifar100(root, { labels: 'coarse', trainRecords: 4, testRecords: 2 });
      expect(coarse.train.numClasses).to.equal(20);
      expect(Array.from(coarse.train.labels)).to.deep.equal([3, 19, 0, 7]);
      expect(coarse.train.classNames).to.equal(CIFAR100_SUPERCLASSES);
    });

    it('names a truncated or missing file with the expected size', () => {
      const copy = path.join(dir, 'trunc100');
      fs.cpSync(root, copy, { recursive: true });
      fs.truncateSync(path.join(copy, 'test.bin'), 100);
      expect(() => loadCifar100(copy, { trainRecords: 4, testRecords: 2 })).to.throw(DataError, `${path.join(copy, 'test.bin')} is truncated: expected 6148 bytes, found 100`);
      expect(() => loadCifar100(copy)).to.throw(DataError, `${path.join(copy, 'train.bin')} is truncated: expected 153700000 bytes, found 12296`);
      fs.rmSync(path.join(copy, 'test.bin'));
      expect(() => loadCifar100(copy, { trainRecords: 4 })).to.throw(DataError, `${path.join(copy, 'test.bin')} does not exist: expected 30740000 bytes (10000 records of 3074 bytes)`);
    });
  });
});
