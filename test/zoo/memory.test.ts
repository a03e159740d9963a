// The training memory estimate and the refusal of a model that cannot fit.
import { expect } from 'chai';
import { ModelTooLargeError, ZOO, checkTrainingMemory, estimateTrainingMemory, formatBytes, mlp } from '../../src/zoo';

describe('zoo memory estimate', () => {
  it('adds 4 copies of the parameters and 3× the forward values (MLP by hand)', () => {
    const e = estimateTrainingMemory(mlp(), 8);
    const params = 269_322 * 4;
    // Flatten [8, 784], three Gemm and two Relu outputs of [8, 256], [8, 256], [8, 10].
    const activations = 8 * (784 + 4 * 256 + 10) * 4;
    expect(e).to.deep.equal({ batchSize: 8, parameterBytes: params, activationBytes: activations, totalBytes: 4 * params + 3 * activations });
  });

  it('counts BatchNorm buffers with the parameters and scales activations with the batch', () => {
    const model = ZOO.resnet20.build({ initialize: false });
    const a = estimateTrainingMemory(model, 1);
    const b = estimateTrainingMemory(model, 16);
    expect(a.parameterBytes).to.equal((272_474 + 1568) * 4);
    expect(b.activationBytes).to.equal(16 * a.activationBytes);
    expect(estimateTrainingMemory(model, 1, { parameterCopies: 1, activationFactor: 0 }).totalBytes).to.equal(a.parameterBytes);
  });

  it('refuses a model over the limit, naming the estimate and the limit', () => {
    const model = ZOO['vit-b-32'].build({ initialize: false });
    const limit = 2 * 1024 ** 3;
    let err: unknown;
    try {
      checkTrainingMemory(model, 128, limit, 'vit-b-32');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ModelTooLargeError);
    const e = err as ModelTooLargeError;
    expect(e.limitBytes).to.equal(limit);
    expect(e.estimate.totalBytes).to.be.above(limit);
    expect(e.message).to.contain('vit-b-32').and.to.contain(formatBytes(e.estimate.totalBytes)).and.to.contain('2.00 GiB').and.to.contain('batch size 128');
  });

  it('passes a model under the limit and returns the estimate', () => {
    const est = checkTrainingMemory(mlp(), 32, 1024 ** 3);
    expect(est.totalBytes).to.be.below(1024 ** 3);
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(512)).to.equal('512 B');
    expect(formatBytes(1536)).to.equal('1.50 KiB');
    expect(formatBytes(3 * 1024 ** 3)).to.equal('3.00 GiB');
  });
});
