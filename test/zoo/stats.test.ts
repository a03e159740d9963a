// Parameter counting and forward cost on models small enough to count by hand.
import { expect } from 'chai';
import { cifarResNet, countParameters, estimateForwardCost, lenet5, mlp } from '../../src/zoo';

describe('zoo stats', () => {
  it('counts the MLP 784-256-256-10 by hand', () => {
    const c = countParameters(mlp());
    expect(c.parameters).to.equal(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);
    expect(c.tensors).to.equal(6);
    expect(c.buffers).to.equal(0);
  });

  it('keeps BatchNorm running statistics out of the parameters', () => {
    const c = countParameters(cifarResNet({ depth: 20, initialize: false }));
    // BN channels: stem 16, 3 stages of 3 blocks × 2 BNs, plus the two projection BNs.
    const channels = 16 + 2 * 3 * (16 + 32 + 64) + 32 + 64;
    expect(c.buffers).to.equal(2 * channels);
    expect(c.parameters).to.equal(272_474);
  });

  it('counts the MACs of LeNet-5 by hand and scales them with the batch', () => {
    const model = lenet5();
    const conv1 = 28 * 28 * 6 * 25;
    const conv2 = 10 * 10 * 16 * 6 * 25;
    const fcs = 400 * 120 + 120 * 84 + 84 * 10;
    expect(estimateForwardCost(model).macs).to.equal(conv1 + conv2 + fcs);
    expect(estimateForwardCost(model, 8).macs).to.equal(8 * (conv1 + conv2 + fcs));
  });

  it('counts the MLP MACs from its Gemm nodes', () => {
    expect(estimateForwardCost(mlp({ hidden: [32] })).macs).to.equal(784 * 32 + 32 * 10);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => estimateForwardCost(mlp(), 0)).to.throw(/positive integer/);
  });

  it('refuses a model older than opset 13 with the sentence training gives', () => {
    const old = { ...mlp(), opsetImports: [{ domain: '', version: 12 }] };
    expect(() => estimateForwardCost(old)).to.throw(/opset 12; crsam needs opset 13 or newer/);
  });
});
