import { expect } from 'chai';
import { classCounts, DataError, defaultValidationSize, makeSyntheticDataset, splitValidation } from '../../src/data';

describe('data/validation-split', () => {
  const { train } = makeSyntheticDataset({ numClasses: 3, trainSize: 300, testSize: 3 });

  it('holds out a class-stratified, seeded, reproducible subset', () => {
    const a = splitValidation(train, 30, 7);
    expect(a.val?.length).to.equal(30);
    expect(a.train.length).to.equal(270);
    expect(a.val?.split).to.equal('val');
    expect(classCounts(a.val ?? train)).to.deep.equal([10, 10, 10]);
    // Disjoint and complete: every index is in exactly one part.
    expect(new Set(a.valIndices).size).to.equal(30);
    expect(a.valIndices.every((i, k) => k === 0 || i > a.valIndices[k - 1])).to.equal(true);
    expect(splitValidation(train, 30, 7).valIndices).to.deep.equal(a.valIndices);
    expect(splitValidation(train, 30, 8).valIndices).to.not.deep.equal(a.valIndices);
    // The held-out images are the training images at those indices.
    const size = 64;
    const k = a.valIndices[3];
    expect(Array.from((a.val ?? train).images.subarray(3 * size, 4 * size))).to.deep.equal(Array.from(train.images.subarray(k * size, (k + 1) * size)));
  });

  it('splits an uneven size by largest remainders, and 0 holds out nothing', () => {
    expect(classCounts(splitValidation(train, 31, 0).val ?? train)).to.deep.equal([11, 10, 10]);
    const none = splitValidation(train, 0, 0);
    expect(none.val).to.equal(undefined);
    expect(none.train).to.equal(train);
    expect(() => splitValidation(train, 300, 0)).to.throw(DataError, '--val-split must be a whole number from 0 to 299');
  });

  it('defaults to 5,000 images, or a tenth of a smaller training set', () => {
    expect(defaultValidationSize(60000)).to.equal(5000);
    expect(defaultValidationSize(50000)).to.equal(5000);
    expect(defaultValidationSize(512)).to.equal(51);
  });
});
