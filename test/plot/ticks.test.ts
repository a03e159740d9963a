import { expect } from 'chai';
import { formatLogTicks, formatTicks, logTicks, niceDomain, niceStep, niceTicks } from '../../src/plot';

/** True when v is a whole multiple of 1, 2 or 5 × 10^k (up to float noise). */
function isNiceStep(step: number): boolean {
  const p = Math.pow(10, Math.floor(Math.log10(step) + 1e-12));
  const m = Math.round((step / p) * 1e6) / 1e6;
  return [1, 2, 5, 10].includes(m);
}

describe('plot/ticks', () => {
  it('niceStep returns 1, 2 or 5 × 10^k', () => {
    for (const span of [1, 3, 7, 0.013, 123.4, 9999, 2.3e-7, 4.1e9]) {
      for (const count of [2, 5, 8]) expect(isNiceStep(niceStep(span, count)), `${span}/${count}`).to.equal(true);
    }
  });

  it('niceTicks are evenly spaced nice multiples inside the range', () => {
    const cases: [number, number][] = [[0, 1], [0.0123, 2.71], [-3.3, 17.9], [937, 1021], [1e-6, 7e-6], [-0.5, -0.1]];
    for (const [lo, hi] of cases) {
      const t = niceTicks(lo, hi, 5);
      expect(t.length, `${lo}..${hi}`).to.be.within(3, 11);
      const step = t[1] - t[0];
      expect(isNiceStep(step)).to.equal(true);
      for (let i = 1; i < t.length; i++) expect(t[i] - t[i - 1]).to.be.closeTo(step, step * 1e-9);
      for (const v of t) {
        expect(v).to.be.within(lo - step * 1e-9, hi + step * 1e-9);
        expect(Math.abs(v / step - Math.round(v / step))).to.be.below(1e-9);
      }
    }
  });

  it('niceTicks has no float noise', () => {
    expect(niceTicks(0, 1, 10)).to.deep.equal([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(0.1, 0.35, 5)).to.deep.equal([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  });

  it('niceTicks handles degenerate input', () => {
    expect(niceTicks(2, 2)).to.deep.equal([2]);
    expect(niceTicks(NaN, 1)).to.deep.equal([]);
    expect(niceTicks(5, 1, 4)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('niceDomain widens to tick multiples', () => {
    expect(niceDomain(0.013, 2.71, 5)).to.deep.equal([0, 3]);
    expect(niceDomain(-3.3, 17.9, 5)).to.deep.equal([-5, 20]);
  });

  it('formatTicks uses just enough decimals and compact exponents', () => {
    expect(formatTicks([0, 0.5, 1, 1.5], 0.5)).to.deep.equal(['0.0', '0.5', '1.0', '1.5']);
    expect(formatTicks([0, 200, 400], 200)).to.deep.equal(['0', '200', '400']);
    expect(formatTicks([0.1, 0.15, 0.2], 0.05)).to.deep.equal(['0.10', '0.15', '0.20']);
    expect(formatTicks([-0.000000001, 1], 1)).to.deep.equal(['0', '1']);
    expect(formatTicks([2e-5, 4e-5, 6e-5], 2e-5)).to.deep.equal(['2e-5', '4e-5', '6e-5']);
    expect(formatTicks([0, 2e6, 4e6], 2e6)).to.deep.equal(['0', '2M', '4M']);
    expect(formatTicks([0, 20000, 40000], 20000)).to.deep.equal(['0', '20k', '40k']);
    expect(formatTicks([0, 5e5, 1e6, 1.5e6], 5e5)).to.deep.equal(['0', '0.5M', '1.0M', '1.5M']);
    expect(formatTicks([0, 2e15], 2e15)).to.deep.equal(['0', '2e15']);
  });

  it('logTicks gives decades, or 1-2-5 steps over short ranges', () => {
    const wide = logTicks(1e-4, 10);
    expect(wide.major).to.deep.equal([1e-4, 1e-3, 1e-2, 0.1, 1, 10]);
    expect(wide.minor).to.include(0.02);
    const narrow = logTicks(0.1, 3);
    expect(narrow.major).to.deep.equal([0.1, 0.2, 0.5, 1, 2]);
    const tiny = logTicks(2, 3);
    expect(tiny.major.length).to.be.at.least(2);
    for (const v of tiny.major) expect(v).to.be.within(2, 3);
    expect(logTicks(0, 10)).to.deep.equal({ major: [], minor: [] });
  });

  it('formatLogTicks writes plain numbers in the readable range', () => {
    expect(formatLogTicks([0.001, 0.01, 1, 100, 1e5, 2e-6])).to.deep.equal(['0.001', '0.01', '1', '100', '1e5', '2e-6']);
  });
});
