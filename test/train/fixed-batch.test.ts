// A model exported with a fixed batch: its batch size is taken when the user gave none, and a
// conflicting one is refused in one sentence before anything runs.
import { expect } from 'chai';
import { FixedBatchError, batchSizesFor, fixedBatchSize } from '../../src/train/fixed-batch';
import { loadModel } from '../../src/onnx/io';
import { fixturePath } from '../repo-root';

describe('fixed-batch models', () => {
  const fixed = loadModel(fixturePath('interop', 'fixed_batch.onnx'));
  const dynamic = loadModel(fixturePath('interop', 'eval_export.onnx'));
  const defaults = { batchSize: 128, evalBatchSize: 500, batchSizeGiven: false, evalBatchSizeGiven: false };

  it('reads the fixed batch (8) and sees a dynamic one as none', () => {
    expect(fixedBatchSize(fixed)).to.equal(8);
    expect(fixedBatchSize(dynamic)).to.equal(undefined);
  });
  it('takes both batch sizes from the model when the user chose none, and says so', () => {
    const r = batchSizesFor(fixed, defaults);
    expect([r.batchSize, r.evalBatchSize]).to.deep.equal([8, 8]);
    expect(r.note).to.match(/fixed batch of 8.*training and evaluation/);
  });
  it('accepts a chosen size equal to the model\'s', () => {
    expect(batchSizesFor(fixed, { ...defaults, batchSize: 8, batchSizeGiven: true }).batchSize).to.equal(8);
  });
  it('refuses a conflicting size in one sentence naming the flag and the fix', () => {
    const f = () => batchSizesFor(fixed, { ...defaults, batchSize: 4, batchSizeGiven: true });
    expect(f).to.throw(FixedBatchError, /fixed batch of 8 .*--batch-size 4.*dynamic_axes/);
  });
  it('leaves a dynamic-batch model alone', () => {
    expect(batchSizesFor(dynamic, { ...defaults, batchSize: 4, batchSizeGiven: true })).to.deep.equal({ batchSize: 4, evalBatchSize: 500 });
  });
});
