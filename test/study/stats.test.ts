// The report's statistics against values worked out by hand (and Student-t tables).
import { expect } from 'chai';
import { mean, pairedDifference, sampleStd, summarize, tQuantile975 } from '../../src/study/stats';

describe('study statistics', () => {
  it('mean and sample standard deviation (n − 1)', () => {
    expect(mean([1, 2, 4])).to.be.closeTo(7 / 3, 1e-12);
    // ((1 − 7/3)² + (2 − 7/3)² + (4 − 7/3)²) / 2 = (16/9 + 1/9 + 25/9) / 2 = 7/3
    expect(sampleStd([1, 2, 4])).to.be.closeTo(Math.sqrt(7 / 3), 1e-12);
    expect(Number.isNaN(sampleStd([5]))).to.equal(true);
  });

  it('summaries leave out runs without the figure', () => {
    const s = summarize([0.9, NaN, 0.8]);
    expect(s.n).to.equal(2);
    expect(s.mean).to.be.closeTo(0.85, 1e-12);
  });

  it('t quantiles are the table values', () => {
    expect(tQuantile975(1)).to.equal(12.706);
    expect(tQuantile975(2)).to.equal(4.303);
    expect(tQuantile975(30)).to.equal(2.042);
    expect(tQuantile975(200)).to.equal(1.96);
    expect(() => tQuantile975(0)).to.throw(RangeError);
  });

  it('paired difference: pairs by seed, mean ± t·sd/√n', () => {
    const a = new Map([['0', 11], ['1', 12], ['2', 14], ['3', 99]]);
    const b = new Map([['0', 10], ['1', 10], ['2', 10]]);
    const d = pairedDifference(a, b); // differences 1, 2, 4; seed 3 has no partner
    expect(d.n).to.equal(3);
    expect(d.mean).to.be.closeTo(7 / 3, 1e-12);
    const half = 4.303 * Math.sqrt(7 / 3) / Math.sqrt(3); // = 3.79489…
    expect(d.low).to.be.closeTo(7 / 3 - half, 1e-9);
    expect(d.high).to.be.closeTo(7 / 3 + half, 1e-9);
    expect(d.low).to.be.closeTo(-1.46156, 1e-4);
  });

  it('one pair gives a difference but no interval', () => {
    const d = pairedDifference(new Map([['0', 3]]), new Map([['0', 1]]));
    expect(d.mean).to.equal(2);
    expect(Number.isNaN(d.low)).to.equal(true);
  });
});
