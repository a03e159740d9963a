import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  classCounts, computeChannelStats, DATASET_STATS, DataError, DataProgress, DatasetPair, FASHION_MNIST_CLASSES,
  fashionMnistSourceDir, loadFashionMnist, scanClothesJson,
} from '../../src/data';
import { idxBytes, makeTempDir, removeTempDir } from './helpers';

const PIXELS = 784;

describe('data/fashion-mnist', function () {
  this.timeout(30000);
  let dir: string;
  let pair: DatasetPair;
  const firstEvents: DataProgress[] = [];
  before(() => {
    dir = makeTempDir();
    pair = loadFashionMnist({ cacheDir: dir, onProgress: (e) => firstEvents.push(e) });
  });
  after(() => removeTempDir(dir));

  it('converts on first load, then reads the cache', () => {
    expect(firstEvents.map((e) => e.phase)).to.include.members(['convert', 'write-cache']);
    expect(fs.existsSync(path.join(dir, 'fashion-mnist', 'manifest.json'))).to.equal(true);
    const events: DataProgress[] = [];
    const t = performance.now();
    const again = loadFashionMnist({ cacheDir: dir, onProgress: (e) => events.push(e) });
    const ms = performance.now() - t;
    expect(events.map((e) => e.phase)).to.deep.equal(['read-cache']);
    expect(ms).to.be.below(1000); // about 40 ms measured; generous for slow CI disks
    expect(Buffer.from(again.train.images).equals(Buffer.from(pair.train.images))).to.equal(true);
    expect(Buffer.from(again.test.labels).equals(Buffer.from(pair.test.labels))).to.equal(true);
  });

  it('has 60000 train / 10000 test images of 1×28×28, 6000 / 1000 per class, interleaved by class', () => {
    const { train, test } = pair;
    expect(train).to.include({ name: 'fashion-mnist', split: 'train', length: 60000, channels: 1, height: 28, width: 28, numClasses: 10 });
    expect(test).to.include({ name: 'fashion-mnist', split: 'test', length: 10000 });
    expect(classCounts(train)).to.deep.equal(new Array(10).fill(6000));
    expect(classCounts(test)).to.deep.equal(new Array(10).fill(1000));
    expect(Array.from(train.labels.subarray(0, 12))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(train.classNames).to.equal(FASHION_MNIST_CLASSES);
  });

  it('follows the split rule: per class, entries 0-999 are test and 1000-6999 train, each used once', () => {
    const src = fashionMnistSourceDir();
    for (let c = 0; c < 10; c++) {
      const { images, count } = scanClothesJson(fs.readFileSync(path.join(src, `${c}.json`)), `${c}.json`);
      expect(count).to.equal(7000);
      for (let j = 0; j < 7000; j++) {
        const [ds, at] = j < 1000 ? [pair.test, j * 10 + c] : [pair.train, (j - 1000) * 10 + c];
        const a = ds.images.subarray(at * PIXELS, (at + 1) * PIXELS);
        const b = images.subarray(j * PIXELS, (j + 1) * PIXELS);
        if (!Buffer.from(a).equals(Buffer.from(b))) expect.fail(`class ${c} entry ${j} is not at ${ds.split}[${at}]`);
        expect(ds.labels[at]).to.equal(c);
      }
    }
  });

  it('has no train/test overlap beyond the 10 pixel-identical images present in the source', () => {
    const hashes = new Set<string>();
    const h = (b: Uint8Array): string => crypto.createHash('sha1').update(b).digest('hex');
    for (let i = 0; i < pair.train.length; i++) hashes.add(h(pair.train.images.subarray(i * PIXELS, (i + 1) * PIXELS)));
    let shared = 0;
    for (let i = 0; i < pair.test.length; i++) if (hashes.has(h(pair.test.images.subarray(i * PIXELS, (i + 1) * PIXELS)))) shared++;
    expect(shared).to.equal(10);
  });

  it('matches the documented normalization constants', () => {
    const s = computeChannelStats(pair.train);
    expect(s.mean[0]).to.be.closeTo(DATASET_STATS['fashion-mnist'].mean[0], 1e-4);
    expect(s.std[0]).to.be.closeTo(DATASET_STATS['fashion-mnist'].std[0], 1e-4);
  });

  it('rebuilds a damaged or stale cache', () => {
    const cache = path.join(dir, 'fashion-mnist');
    fs.truncateSync(path.join(cache, 'train-images-idx3-ubyte'), 1000);
    const events: DataProgress[] = [];
    const rebuilt = loadFashionMnist({ cacheDir: dir, onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.phase)).to.include('convert');
    expect(Buffer.from(rebuilt.train.images).equals(Buffer.from(pair.train.images))).to.equal(true);
    const manifest = path.join(cache, 'manifest.json');
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('per-class', 'old-rule'));
    const events2: DataProgress[] = [];
    loadFashionMnist({ cacheDir: dir, onProgress: (e) => events2.push(e) });
    expect(events2.map((e) => e.phase)).to.include('convert');
    expect(fs.readFileSync(manifest, 'utf8')).to.include('per-class');
  });

  it('keeps going without a cache when the cache folder cannot be written', () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const events: DataProgress[] = [];
    const p = loadFashionMnist({ cacheDir: blocker, onProgress: (e) => events.push(e) });
    expect(p.train.length).to.equal(60000);
    expect(events.some((e) => e.message.startsWith('could not write the cache'))).to.equal(true);
  });

  it('reads official IDX files when idxDir is given', () => {
    const idx = path.join(dir, 'official');
    fs.mkdirSync(idx);
    fs.writeFileSync(path.join(idx, 'train-images-idx3-ubyte'), idxBytes([2, 28, 28], new Array<number>(2 * PIXELS).fill(5)));
    fs.writeFileSync(path.join(idx, 'train-labels-idx1-ubyte'), idxBytes([2], [9, 0]));
    fs.writeFileSync(path.join(idx, 't10k-images-idx3-ubyte'), idxBytes([1, 28, 28], new Array<number>(PIXELS).fill(7)));
    fs.writeFileSync(path.join(idx, 't10k-labels-idx1-ubyte'), idxBytes([1], [3]));
    const p = loadFashionMnist({ idxDir: idx });
    expect(p.train).to.include({ name: 'fashion-mnist', length: 2 });
    expect(p.train.classNames).to.equal(FASHION_MNIST_CLASSES);
    expect(Array.from(p.test.labels)).to.deep.equal([3]);
  });

  it('refuses a source whose class files do not hold 7000 images', () => {
    const src = path.join(dir, 'src');
    fs.mkdirSync(src);
    const row = `[${new Array<number>(PIXELS).fill(1).join(',')}]`;
    for (let c = 0; c < 10; c++) fs.writeFileSync(path.join(src, `${c}.json`), `{"data":[${row},${row}]}`);
    expect(() => loadFashionMnist({ sourceDir: src, cacheDir: path.join(dir, 'c2') })).to.throw(DataError, `${path.join(src, '0.json')} holds 2 images: expected 7000`);
  });

  describe('scanClothesJson', () => {
    const row = (v: number): string => `[${new Array<number>(PIXELS).fill(v).join(', ')}]`;

    it('skips empty entries and grows past its initial capacity', () => {
      const json = Buffer.from(`{"data": [\n${row(1)},[],${row(255)},\n${row(0)}, []]}`);
      const { images, count } = scanClothesJson(json, 'x.json', 1);
      expect(count).to.equal(3);
      expect([images[0], images[PIXELS + 5], images[2 * PIXELS + 783]]).to.deep.equal([1, 255, 0]);
    });

    it('refuses other formats, naming the file', () => {
      expect(() => scanClothesJson(Buffer.from(`{"data":[[0.5${',0'.repeat(783)}]]}`), 'f.json')).to.throw(DataError, "f.json is not in the expected format: found '.' inside an image");
      expect(() => scanClothesJson(Buffer.from(`{"data":[[1,2,3]]}`), 'f.json')).to.throw(DataError, 'found an image with 3 pixels');
      expect(() => scanClothesJson(Buffer.from(`{"data":[[256${',0'.repeat(783)}]]}`), 'f.json')).to.throw(DataError, 'found pixel value 256');
      expect(() => scanClothesJson(Buffer.from(`{"data":[${row(3)},[1,2`), 'f.json')).to.throw(DataError, 'f.json is truncated');
    });
  });
});
