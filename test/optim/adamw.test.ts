import { expect } from 'chai';
import { AdamW } from '../../src/optim';
import { expectAllClose } from './helpers';
import { OptionError } from '../../src/core/option-error';

describe('optim/adamw', () => {
  it('matches hand-computed PyTorch AdamW for three steps', () => {
    // lr = 0.1, wd = 0.1, β1 = 0.9, β2 = 0.999, eps = 1e-8, w0 = 1, g = 0.5, −0.5, 0.5.
    // step 1: w = 1·(1 − 0.01) = 0.99; m = 0.05; v = 0.001·0.25 = 2.5e-4
    //         m̂ = 0.05/0.1 = 0.5; √v̂ = √(2.5e-4/1e-3) = 0.5
    //         w = 0.99 − 0.1·0.5/(0.5 + 1e-8) = 0.890000002
    // step 2: w = 0.890000002·0.99 = 0.88110000198; m = 0.045 − 0.05 = −0.005
    //         v = 0.999·2.5e-4 + 2.5e-4 = 4.9975e-4; bc2 = 1 − 0.999² = 0.001999 → v̂ = 0.25 exactly
    //         m̂ = −0.005/0.19 = −0.0263157895; w = 0.88110000198 + 0.1·0.0263157895/0.5 = 0.8863631598
    // step 3: w = 0.8863631598·0.99 = 0.8774995282; m = −0.0045 + 0.05 = 0.0455; v̂ = 0.25 again
    //         m̂ = 0.0455/0.271 = 0.1678966790; w = 0.8774995282 − 0.0335793358 = 0.8439201931
    const w = Float32Array.from([1]);
    const opt = new AdamW(1, { weightDecay: 0.1 });
    const got: number[] = [];
    for (const g of [0.5, -0.5, 0.5]) {
      opt.step(w, Float32Array.from([g]), 0.1);
      got.push(w[0]);
    }
    expectAllClose(got, [0.890000002, 0.8863631598, 0.8439201931], 1e-6);
    const st = opt.getState();
    expect(st.step).to.equal(3);
    expectAllClose(st.expAvg, [0.0455], 1e-6);
    expectAllClose(st.expAvgSq, [7.4925025e-4], 1e-6);
  });

  it('decays decoupled from the gradient: zero gradient only shrinks w', () => {
    // m = v = 0 → the Adam part is 0/(0 + eps) = 0, so w = w·(1 − lr·wd) = 3·(1 − 0.5·0.2) = 2.7.
    const w = Float32Array.from([3, -3]);
    new AdamW(2, { weightDecay: 0.2 }).step(w, new Float32Array(2), 0.5);
    expectAllClose(w, [2.7, -2.7], 1e-7);
  });

  it('state round trip resumes bit-exactly', () => {
    const grads = [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.05], [0.2, 0.2]].map((g) => Float32Array.from(g));
    const wa = Float32Array.from([0.5, -1]);
    const a = new AdamW(2, { beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 });
    for (const g of grads) a.step(wa, g, 0.01);

    const wb = Float32Array.from([0.5, -1]);
    const b = new AdamW(2, { beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 });
    b.step(wb, grads[0], 0.01);
    b.step(wb, grads[1], 0.01);
    const c = new AdamW(2, { beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 });
    c.setState(b.getState());
    c.step(wb, grads[2], 0.01);
    c.step(wb, grads[3], 0.01);
    expect(Array.from(wb)).to.deep.equal(Array.from(wa));
    expect(c.stepCount).to.equal(4);
  });

  it('refuses bad options and states', () => {
    expect(() => new AdamW(2, { beta1: 1 })).to.throw(OptionError, /beta1/);
    expect(() => new AdamW(2, { beta2: -0.1 })).to.throw(OptionError, /beta2/);
    expect(() => new AdamW(2, { eps: -1 })).to.throw(OptionError, /eps/);
    const a = new AdamW(2);
    expect(() => a.setState({ kind: 'sgd', step: 0, momentumBuffer: null })).to.throw(OptionError, /sgd/);
    expect(() =>
      a.setState({ kind: 'adamw', step: 1.5, expAvg: new Float32Array(2), expAvgSq: new Float32Array(2) }),
    ).to.throw(OptionError, /step count/);
    expect(() =>
      a.setState({ kind: 'adamw', step: 1, expAvg: new Float32Array(2), expAvgSq: new Float32Array(1) }),
    ).to.throw(OptionError, /expAvgSq/);
  });
});
