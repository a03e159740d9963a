import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASET_NAMES, DataError, loadDataset, resolveDatasetName } from '../../src/data';
import { makeTempDir, removeTempDir } from './helpers';

describe('data/registry', () => {
  it('knows the data sets, fashion-mnist first, and common spellings', () => {
    expect(DATASET_NAMES[0]).to.equal('fashion-mnist');
    expect(resolveDatasetName('CIFAR-10')).to.equal('cifar10');
    expect(resolveDatasetName('fashion_mnist')).to.equal('fashion-mnist');
    expect(() => resolveDatasetName('imagenet')).to.throw(DataError, "unknown data set 'imagenet': expected one of fashion-mnist, mnist, cifar10, cifar100, idx, synthetic");
  });

  it('loads by name and asks for a folder where one is needed', () => {
    expect(loadDataset('synthetic', { synthetic: { trainSize: 8, testSize: 4 } }).train.length).to.equal(8);
    expect(loadDataset('mnist').test.length).to.equal(10000);
    expect(() => loadDataset('cifar10')).to.throw(DataError, 'cifar10 needs a folder');
    expect(() => loadDataset('cifar100')).to.throw(DataError, 'cifar100 needs a folder');
    const dir = makeTempDir();
    try {
      expect(() => loadDataset('cifar10', { dir: path.join(dir, 'x') })).to.throw(DataError, 'does not exist');
    } finally {
      removeTempDir(dir);
    }
  });

  it('finds CIFAR in $CRSAM_DATA_DIR/cifar10 and asks for a folder for idx', () => {
    const dir = makeTempDir();
    try {
      fs.mkdirSync(path.join(dir, 'cifar10'));
      // The folder is found (and then read: it is empty, so data_batch_1.bin is missing).
      expect(() => loadDataset('cifar10', { env: { CRSAM_DATA_DIR: dir } })).to.throw(DataError, path.join(dir, 'cifar10'));
      expect(() => loadDataset('idx')).to.throw(DataError, 'the idx data set needs a folder');
    } finally {
      removeTempDir(dir);
    }
  });
});
