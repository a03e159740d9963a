import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DataError, loadIdxDataset, parseIdx, readIdx } from '../../src/data';
import { encodeIdxUint8 } from '../../src/data/idx';
import { idxBytes, makeTempDir, removeTempDir } from './helpers';

describe('data/idx', () => {
  let dir: string;
  before(() => { dir = makeTempDir(); });
  after(() => removeTempDir(dir));

  it('reads a uint8 file: dims and row-major data', () => {
    const file = path.join(dir, 'a-idx3-ubyte');
    fs.writeFileSync(file, idxBytes([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const a = readIdx(file);
    expect(a.type).to.equal('uint8');
    expect(a.dims).to.deep.equal([2, 2, 3]);
    expect(Array.from(a.data)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('decodes big-endian int32 and float32 elements', () => {
    const i32 = Buffer.alloc(4 + 4 + 8);
    i32[2] = 0x0c; i32[3] = 1; i32.writeUInt32BE(2, 4); i32.writeInt32BE(-5, 8); i32.writeInt32BE(70000, 12);
    expect(Array.from(parseIdx(i32, 'i32').data)).to.deep.equal([-5, 70000]);
    const f32 = Buffer.alloc(4 + 4 + 4);
    f32[2] = 0x0d; f32[3] = 1; f32.writeUInt32BE(1, 4); f32.writeFloatBE(1.5, 8);
    const f = parseIdx(f32, 'f32');
    expect(f.type).to.equal('float32');
    expect(Array.from(f.data)).to.deep.equal([1.5]);
  });

  it('reads gzipped files transparently', () => {
    const file = path.join(dir, 'b-idx1-ubyte.gz');
    fs.writeFileSync(file, zlib.gzipSync(idxBytes([3], [7, 8, 9])));
    expect(Array.from(readIdx(file).data)).to.deep.equal([7, 8, 9]);
  });

  it('round-trips encodeIdxUint8', () => {
    const data = Uint8Array.from([9, 8, 7, 6, 5, 4]);
    const enc = encodeIdxUint8([2, 3], data);
    expect(Buffer.from(enc).equals(idxBytes([2, 3], data))).to.equal(true);
  });

  it('names the file and the expected size when it is truncated', () => {
    const file = path.join(dir, 'trunc-idx3-ubyte');
    fs.writeFileSync(file, idxBytes([10, 28, 28], new Array<number>(10 * 784).fill(1)).subarray(0, 1200));
    expect(() => readIdx(file)).to.throw(DataError, `${file} is truncated: expected 7856 bytes for dimensions 10×28×28, found 1200`);
    const header = path.join(dir, 'short-header');
    fs.writeFileSync(header, Buffer.from([0, 0, 8, 3, 0, 0]));
    expect(() => readIdx(header)).to.throw(DataError, 'expected at least 16 bytes of IDX header, found 6');
  });

  it('refuses a damaged gzip file, extra bytes and a wrong magic number', () => {
    const gz = path.join(dir, 'damaged.gz');
    fs.writeFileSync(gz, zlib.gzipSync(idxBytes([100], new Array<number>(100).fill(3))).subarray(0, 20));
    expect(() => readIdx(gz)).to.throw(DataError, 'damaged or truncated gzip');
    expect(() => parseIdx(Buffer.concat([idxBytes([2], [1, 2]), Buffer.from([0])]), 'long')).to.throw(DataError, 'long is longer than its header says: expected 10 bytes for dimensions 2, found 11');
    expect(() => parseIdx(Buffer.from('PK\u0003\u0004xxxxxxxx'), 'zip')).to.throw(DataError, 'zip is not an IDX file');
    expect(() => parseIdx(Buffer.from([0, 0, 0x07, 1, 0, 0, 0, 0]), 'type')).to.throw(DataError, 'is not an IDX file');
  });

  it('says a missing file does not exist', () => {
    const file = path.join(dir, 'nope');
    expect(() => readIdx(file)).to.throw(DataError, `${file} does not exist`);
  });

  describe('loadIdxDataset', () => {
    const write = (d: string, prefix: string, n: number, labels: number[]): void => {
      fs.writeFileSync(path.join(d, `${prefix}-images-idx3-ubyte`), idxBytes([n, 2, 3], Array.from({ length: n * 6 }, (_, i) => i % 256)));
      fs.writeFileSync(path.join(d, `${prefix}-labels-idx1-ubyte`), idxBytes([labels.length], labels));
    };

    it('loads an MNIST-layout folder', () => {
      const d = path.join(dir, 'mnistlike');
      fs.mkdirSync(d);
      write(d, 'train', 4, [0, 1, 2, 1]);
      write(d, 't10k', 2, [2, 0]);
      const pair = loadIdxDataset(d, { name: 'toy', numClasses: 3 });
      expect(pair.train).to.include({ name: 'toy', split: 'train', length: 4, channels: 1, height: 2, width: 3, numClasses: 3 });
      expect(Array.from(pair.train.labels)).to.deep.equal([0, 1, 2, 1]);
      expect(Array.from(pair.test.images.subarray(6, 12))).to.deep.equal([6, 7, 8, 9, 10, 11]);
    });

    it('refuses a label count that differs from the image count, and out-of-range labels', () => {
      const d = path.join(dir, 'mismatch');
      fs.mkdirSync(d);
      write(d, 'train', 4, [0, 1, 2]);
      write(d, 't10k', 2, [2, 0]);
      expect(() => loadIdxDataset(d)).to.throw(DataError, 'holds 3 labels: expected 4, one per image');
      write(d, 'train', 4, [0, 1, 2, 12]);
      expect(() => loadIdxDataset(d)).to.throw(DataError, 'has label 12 at index 3: expected labels below 10');
    });

    it('names a missing folder and a missing file', () => {
      const d = path.join(dir, 'absent');
      expect(() => loadIdxDataset(d)).to.throw(DataError, `${d} is not a folder`);
      const e = path.join(dir, 'half');
      fs.mkdirSync(e);
      write(e, 'train', 1, [0]);
      expect(() => loadIdxDataset(e)).to.throw(DataError, `${path.join(e, 't10k-images-idx3-ubyte')} does not exist`);
    });
  });
});

describe('data/idx: bounded memory and special files', () => {
  let dir: string;
  before(() => { dir = makeTempDir(); });
  after(() => removeTempDir(dir));

  it('stops inflating a gzip bomb at the size its header declares', () => {
    // 10 labels declared, 200 MB of zeros behind them: ~200 KB of gzip.
    const file = path.join(dir, 'bomb-idx1-ubyte.gz');
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([idxBytes([10], new Array<number>(10).fill(1)), Buffer.alloc(200e6)]), { level: 9 }));
    if (global.gc) global.gc();
    const before = process.memoryUsage();
    expect(() => readIdx(file)).to.throw(DataError, /longer than its header says: expected 18 bytes once unzipped/);
    const after = process.memoryUsage();
    // Inflating all of it would add 200 MB (x2 for the concatenation) of array buffers.
    expect(after.arrayBuffers - before.arrayBuffers).to.be.below(20e6);
  });

  it('refuses a truncated gzip file whose header declares a huge count, without inflating past the data', () => {
    const file = path.join(dir, 'huge-idx3-ubyte.gz');
    const head = Buffer.alloc(16);
    head[2] = 0x08; head[3] = 3; head.writeUInt32BE(60000, 4); head.writeUInt32BE(280, 8); head.writeUInt32BE(28, 12);
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([head, Buffer.alloc(1e5)])).subarray(0, 60));
    expect(() => readIdx(file)).to.throw(DataError, /truncated/);
    head.writeUInt32BE(1 << 30, 8); // 60000 × 2^30 × 28 bytes: no file holds that
    fs.writeFileSync(file, zlib.gzipSync(head));
    expect(() => readIdx(file)).to.throw(DataError, /declares \d+ bytes of IDX data, more than one file can hold/);
  });

  it('refuses /dev/zero, a FIFO and a folder instead of reading forever', function () {
    if (process.platform === 'win32') this.skip();
    expect(() => readIdx('/dev/zero')).to.throw(DataError, /\/dev\/zero is a device, not a regular file/);
    const fifo = path.join(dir, 'labels-fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readIdx(fifo)).to.throw(DataError, /is a FIFO \(named pipe\), not a regular file/);
    expect(() => readIdx(dir)).to.throw(DataError, /is a folder/);
  });
});
