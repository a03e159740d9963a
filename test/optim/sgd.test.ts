import { expect } from 'chai';
import { Sgd } from '../../src/optim';
import { expectAllClose } from './helpers';
import { OptionError } from '../../src/core/option-error';

const REL = 1e-6;

/** Runs `grads` through a fresh Sgd from w0 and returns w after every step. */
function run(w0: number[], grads: number[][], lr: number, opts: ConstructorParameters<typeof Sgd>[1]): number[][] {
  const w = Float32Array.from(w0);
  const sgd = new Sgd(w.length, opts);
  return grads.map((g) => {
    sgd.step(w, Float32Array.from(g), lr);
    return Array.from(w);
  });
}

describe('optim/sgd', () => {
  it('plain SGD with coupled weight decay', () => {
    // d = g + wd·w = 0.5 + 0.1·1 = 0.6; w = 1 − 0.1·0.6 = 0.94.
    // Second element: d = −1 + 0.1·(−2) = −1.2; w = −2 + 0.12 = −1.88.
    const [w1] = run([1, -2], [[0.5, -1]], 0.1, { weightDecay: 0.1 });
    expectAllClose(w1, [0.94, -1.88], REL);
  });

  it('momentum: first step copies d into the buffer, later steps accumulate', () => {
    // μ = 0.9, lr = 0.1, w0 = 1.
    // step 1, g = 1:    buf = 1;                 w = 1 − 0.1   = 0.9
    // step 2, g = 0.5:  buf = 0.9·1 + 0.5 = 1.4; w = 0.9 − 0.14 = 0.76
    // step 3, g = −1:   buf = 1.26 − 1 = 0.26;   w = 0.76 − 0.026 = 0.734
    const ws = run([1], [[1], [0.5], [-1]], 0.1, { momentum: 0.9 });
    expectAllClose(ws.flat(), [0.9, 0.76, 0.734], REL);
  });

  it('Nesterov momentum steps along d + μ·buf', () => {
    // μ = 0.9, lr = 0.1, w0 = 1.
    // step 1, g = 1:   buf = 1;   update = 1 + 0.9·1 = 1.9;      w = 1 − 0.19 = 0.81
    // step 2, g = 0.5: buf = 1.4; update = 0.5 + 0.9·1.4 = 1.76; w = 0.81 − 0.176 = 0.634
    const ws = run([1], [[1], [0.5]], 0.1, { momentum: 0.9, nesterov: true });
    expectAllClose(ws.flat(), [0.81, 0.634], REL);
  });

  it('momentum with weight decay folds the decay into the buffer', () => {
    // μ = 0.5, wd = 0.5, lr = 0.1, w0 = 2.
    // step 1, g = 1: d = 1 + 0.5·2 = 2;      buf = 2;              w = 2 − 0.2 = 1.8
    // step 2, g = 0: d = 0 + 0.5·1.8 = 0.9;  buf = 0.5·2 + 0.9 = 1.9; w = 1.8 − 0.19 = 1.61
    const ws = run([2], [[1], [0]], 0.1, { momentum: 0.5, weightDecay: 0.5 });
    expectAllClose(ws.flat(), [1.8, 1.61], REL);
  });

  it('leaves the gradient untouched', () => {
    const g = Float32Array.from([0.25, -0.5]);
    new Sgd(2, { momentum: 0.9, weightDecay: 0.1, nesterov: true }).step(Float32Array.from([1, 2]), g, 0.1);
    expect(Array.from(g)).to.deep.equal([0.25, -0.5]);
  });

  it('getState/setState resume exactly and are deep copies', () => {
    const grads = [[1, -1], [0.5, 0.25], [-0.75, 2], [0.1, 0.2]];
    const full = run([1, -2], grads, 0.05, { momentum: 0.9, weightDecay: 5e-4 });

    const w = Float32Array.from([1, -2]);
    const a = new Sgd(2, { momentum: 0.9, weightDecay: 5e-4 });
    a.step(w, Float32Array.from(grads[0]), 0.05);
    a.step(w, Float32Array.from(grads[1]), 0.05);
    const saved = a.getState();
    expect(saved.kind).to.equal('sgd');
    expect(saved.step).to.equal(2);
    const snapshot = Array.from(saved.momentumBuffer ?? []);
    a.step(w.slice(), Float32Array.from(grads[2]), 0.05); // must not leak into `saved`
    expect(Array.from(saved.momentumBuffer ?? [])).to.deep.equal(snapshot);

    const b = new Sgd(2, { momentum: 0.9, weightDecay: 5e-4 });
    b.setState(saved);
    b.step(w, Float32Array.from(grads[2]), 0.05);
    b.step(w, Float32Array.from(grads[3]), 0.05);
    expect(Array.from(w)).to.deep.equal(full[3]);
    expect(b.stepCount).to.equal(4);
  });

  it('has no momentum buffer without momentum', () => {
    const s = new Sgd(3);
    s.step(new Float32Array(3), new Float32Array(3), 0.1);
    expect(s.getState()).to.deep.equal({ kind: 'sgd', step: 1, momentumBuffer: null });
  });

  it('refuses bad options, sizes and states', () => {
    expect(() => new Sgd(2, { nesterov: true })).to.throw(OptionError, /Nesterov/);
    expect(() => new Sgd(2, { momentum: -0.1 })).to.throw(OptionError, /momentum/);
    expect(() => new Sgd(2, { weightDecay: Number.NaN })).to.throw(OptionError, /weightDecay/);
    expect(() => new Sgd(-1)).to.throw(OptionError, /size/);
    const s = new Sgd(2, { momentum: 0.9 });
    expect(() => s.step(new Float32Array(3), new Float32Array(3), 0.1)).to.throw(OptionError, /3 elements/);
    expect(() => s.step(new Float32Array(2), new Float32Array(3), 0.1)).to.throw(RangeError, /same length/);
    expect(() => s.step(new Float32Array(2), new Float32Array(2), -1)).to.throw(OptionError, /lr/);
    expect(() => s.setState({ kind: 'sgd', step: 1, momentumBuffer: new Float32Array(5) })).to.throw(OptionError, /5 elements/);
    expect(() =>
      s.setState({ kind: 'adamw', step: 1, expAvg: new Float32Array(2), expAvgSq: new Float32Array(2) }),
    ).to.throw(OptionError, /adamw/);
  });
});
