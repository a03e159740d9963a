import { expect } from 'chai';
import { classCounts, Dataset, makeSyntheticDataset, subsetDataset, validateDataset } from '../../src/data';
import { OptionError } from '../../src/core/option-error';

/** Accuracy on `test` of the nearest class mean fit on `train`: a floor for what a model can learn. */
function nearestMeanAccuracy(train: Dataset, test: Dataset): number {
  const size = train.channels * train.height * train.width;
  const means = Array.from({ length: train.numClasses }, () => new Float64Array(size));
  const counts = classCounts(train);
  for (let i = 0; i < train.length; i++) {
    for (let p = 0; p < size; p++) means[train.labels[i]][p] += train.images[i * size + p] / counts[train.labels[i]];
  }
  let right = 0;
  for (let i = 0; i < test.length; i++) {
    let best = -1;
    let bestDist = Infinity;
    means.forEach((m, c) => {
      let d = 0;
      for (let p = 0; p < size; p++) d += (test.images[i * size + p] - m[p]) ** 2;
      if (d < bestDist) { bestDist = d; best = c; }
    });
    if (best === test.labels[i]) right++;
  }
  return right / test.length;
}

describe('data/synthetic', () => {
  it('has the requested shape and sizes, balanced classes, valid bytes', () => {
    const { train, test } = makeSyntheticDataset({ numClasses: 5, channels: 3, height: 6, width: 7, trainSize: 100, testSize: 25, seed: 1 });
    expect(train).to.include({ name: 'synthetic', split: 'train', numClasses: 5, channels: 3, height: 6, width: 7, length: 100 });
    expect(test.length).to.equal(25);
    expect(classCounts(train)).to.deep.equal([20, 20, 20, 20, 20]);
    validateDataset(train);
    validateDataset(test);
  });

  it('is determined by its seed', () => {
    const a = makeSyntheticDataset({ seed: 3 });
    const b = makeSyntheticDataset({ seed: 3 });
    const c = makeSyntheticDataset({ seed: 4 });
    expect(Buffer.from(a.train.images).equals(Buffer.from(b.train.images))).to.equal(true);
    expect(Buffer.from(a.train.images).equals(Buffer.from(c.train.images))).to.equal(false);
  });

  it('is learnable at the defaults, and harder with more noise', () => {
    const easy = makeSyntheticDataset();
    expect(nearestMeanAccuracy(easy.train, easy.test)).to.be.above(0.9);
    const hard = makeSyntheticDataset({ noise: 3 });
    expect(nearestMeanAccuracy(hard.train, hard.test)).to.be.below(nearestMeanAccuracy(easy.train, easy.test));
  });

  it('refuses impossible options', () => {
    expect(() => makeSyntheticDataset({ numClasses: 300 })).to.throw(OptionError);
    expect(() => makeSyntheticDataset({ height: 0 })).to.throw(OptionError);
    expect(() => makeSyntheticDataset({ noise: -1 })).to.throw(OptionError);
  });

  it('subsetDataset copies the chosen images in order', () => {
    const { train } = makeSyntheticDataset({ trainSize: 10 });
    const sub = subsetDataset(train, [9, 0, 9]);
    expect(sub.length).to.equal(3);
    expect(Array.from(sub.labels)).to.deep.equal([train.labels[9], train.labels[0], train.labels[9]]);
    expect(Array.from(sub.images.subarray(64, 128))).to.deep.equal(Array.from(train.images.subarray(0, 64)));
    expect(() => subsetDataset(train, [10])).to.throw(OptionError);
  });
});
