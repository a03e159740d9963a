import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, loadDataset } from '../../src/data';
import { idxBytes, makeTempDir, removeTempDir } from './helpers';

describe('data/idx-folder (your own data)', () => {
  let dir: string;
  beforeEach(() => { dir = makeTempDir(); });
  afterEach(() => removeTempDir(dir));

  const write = (prefix: string, dims: number[], labels: number[]): void => {
    const n = dims.reduce((a, b) => a * b, 1);
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), idxBytes(dims, Array.from({ length: n }, (_, i) => i % 256)));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes([labels.length], labels));
  };

  it('reads N×C×H×W images and counts classes from the labels, or from classes.txt', () => {
    write('train', [3, 3, 4, 4], [0, 2, 1]);
    write('t10k', [1, 3, 4, 4], [1]);
    const p = loadDataset('idx', { dir });
    expect(p.train).to.include({ name: `idx:${path.basename(dir)}`, channels: 3, height: 4, width: 4, length: 3, numClasses: 3 });
    expect(Array.from(p.test.labels)).to.deep.equal([1]);
    fs.writeFileSync(path.join(dir, 'classes.txt'), 'cat\ndog\nbird\nfish\n');
    const named = loadDataset('idx', { dir });
    expect(named.train.numClasses).to.equal(4);
    expect(named.train.classNames).to.deep.equal(['cat', 'dog', 'bird', 'fish']);
  });

  it('refuses labels beyond classes.txt and splits of different shapes', () => {
    write('train', [2, 4, 4], [0, 5]);
    write('t10k', [1, 4, 4], [0]);
    fs.writeFileSync(path.join(dir, 'classes.txt'), 'a\nb\n');
    expect(() => loadDataset('idx', { dir })).to.throw(DataError, 'has label 5 at index 1: expected labels below 2');
    fs.rmSync(path.join(dir, 'classes.txt'));
    write('t10k', [1, 5, 5], [0]);
    expect(() => loadDataset('idx', { dir })).to.throw(DataError, 'has training images of 1×4×4 but test images of 1×5×5');
  });
});
