import { expect } from 'chai';
import { addScaled, allFinite, axpy, combine3, copy, dot, norm, scale, scaledNorm, sumSquares } from '../../src/optim';
import { expectAllClose, expectClose } from './helpers';

const f = (...x: number[]): Float32Array => Float32Array.from(x);

describe('optim/vector', () => {
  it('dot, sumSquares, norm, scaledNorm', () => {
    expect(dot(f(1, 2, 3), f(4, -5, 6))).to.equal(12);
    expect(sumSquares(f(1, 2, 2))).to.equal(9);
    expect(norm(f(3, 4))).to.equal(5);
    // T = |w| + η: (|−2| + 1)·1 = 3 and (0 + 1)·4 = 4 → 5
    expect(scaledNorm(f(-2, 0), f(1, 4), 1)).to.equal(5);
    expect(() => dot(f(1), f(1, 2))).to.throw(RangeError, /same length/);
  });

  it('accumulates in float64', () => {
    // 1 + 10⁶·(1e-4)² = 1.01; a float32 running sum would stay at 1 (1 + 1e-8 rounds to 1).
    const a = new Float32Array(1_000_001).fill(1e-4);
    a[0] = 1;
    expectClose(sumSquares(a), 1.01, 1e-6);
  });

  it('in-place updates', () => {
    const y = f(1, 2);
    axpy(y, 2, f(10, 20));
    expect(Array.from(y)).to.deep.equal([21, 42]);
    scale(y, 0.5);
    expect(Array.from(y)).to.deep.equal([10.5, 21]);
    const d = new Float32Array(2);
    copy(d, y);
    expect(Array.from(d)).to.deep.equal([10.5, 21]);
    addScaled(d, f(1, 1), -2, f(1, 2));
    expect(Array.from(d)).to.deep.equal([-1, -3]);
    // aliasing the output with an input is allowed
    const a = f(1, 2);
    combine3(a, 2, a, 3, f(1, 1), -1, f(0, 4));
    expectAllClose(a, [5, 3], 0);
  });

  it('allFinite', () => {
    expect(allFinite(f(1, 2))).to.equal(true);
    expect(allFinite(f(1, Number.NaN))).to.equal(false);
    expect(allFinite(f(Number.NEGATIVE_INFINITY))).to.equal(false);
  });
});
