import { expect } from 'chai';
import { clipGradNorm } from '../../src/optim';
import { expectAllClose } from './helpers';
import { OptionError } from '../../src/core/option-error';

describe('optim/clip', () => {
  it('scales by max/(norm + 1e-6) above the threshold and returns the pre-clip norm', () => {
    const g = Float32Array.from([3, 4]); // ‖g‖ = 5
    expect(clipGradNorm(g, 1)).to.equal(5);
    const c = 1 / (5 + 1e-6);
    expectAllClose(g, [3 * c, 4 * c], 1e-7);
  });

  it('never scales up below the threshold', () => {
    const g = Float32Array.from([3, 4]);
    expect(clipGradNorm(g, 10)).to.equal(5);
    expect(Array.from(g)).to.deep.equal([3, 4]);
  });

  it('leaves a non-finite gradient alone and reports its norm', () => {
    const g = Float32Array.from([Number.NaN, 1]);
    expect(Number.isNaN(clipGradNorm(g, 1))).to.equal(true);
    expect(g[1]).to.equal(1);
  });

  it('refuses a non-positive threshold', () => {
    expect(() => clipGradNorm(new Float32Array(2), 0)).to.throw(OptionError, /maxNorm/);
  });
});
