import { expect } from 'chai';
import { createSchedule } from '../../src/optim';
import { expectAllClose, expectClose } from './helpers';
import { OptionError } from '../../src/core/option-error';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('optim/schedule', () => {
  it('constant', () => {
    const lr = createSchedule({ kind: 'constant', baseLr: 0.05 });
    expect(range(5).map(lr)).to.deep.equal([0.05, 0.05, 0.05, 0.05, 0.05]);
  });

  it('step: baseLr·gamma^⌊t/stepSize⌋', () => {
    const lr = createSchedule({ kind: 'step', baseLr: 1, stepSize: 3, gamma: 0.5 });
    expectAllClose(range(8).map(lr), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25], 1e-12);
    // PyTorch's default gamma is 0.1.
    expectClose(createSchedule({ kind: 'step', baseLr: 1, stepSize: 2 })(4), 0.01, 1e-12);
  });

  it('multistep: one decay per milestone reached, duplicates count twice, order irrelevant', () => {
    const lr = createSchedule({ kind: 'multistep', baseLr: 1, milestones: [4, 2, 4], gamma: 0.5 });
    // t: 0 1 → 1; t 2 3 → 0.5; t ≥ 4 → 0.5·0.5·0.5
    expectAllClose(range(6).map(lr), [1, 1, 0.5, 0.5, 0.125, 0.125], 1e-12);
  });

  it('cosine: etaMin + (base − etaMin)(1 + cos(πt/T))/2, held at etaMin after T', () => {
    const lr = createSchedule({ kind: 'cosine', baseLr: 0.1, totalSteps: 4, etaMin: 0.01 });
    // cos(0) = 1, cos(π/4) = √2/2, cos(π/2) = 0, cos(3π/4) = −√2/2, cos(π) = −1
    const h = Math.SQRT1_2;
    const expected = [0.1, 0.01 + 0.09 * (1 + h) / 2, 0.055, 0.01 + 0.09 * (1 - h) / 2, 0.01, 0.01, 0.01];
    expectAllClose(range(7).map(lr), expected, 1e-12);
  });

  it('linear warm-up from warmupStartFactor, then the main schedule from its index 0', () => {
    const lr = createSchedule({ kind: 'cosine', baseLr: 0.2, totalSteps: 6, warmupSteps: 2, warmupStartFactor: 0 });
    // warm-up: 0.2·(0 + 1·t/2) → 0, 0.1; cosine over T = 4: 0.2, 0.1(1+√2/2), 0.1, 0.1(1−√2/2), 0
    const h = Math.SQRT1_2;
    expectAllClose(range(7).map(lr), [0, 0.1, 0.2, 0.1 * (1 + h), 0.1, 0.1 * (1 - h), 0], 1e-12, 1e-15);
    // Default start factor is PyTorch LinearLR's 1/3.
    expectClose(createSchedule({ kind: 'constant', baseLr: 0.3, warmupSteps: 3 })(0), 0.1, 1e-12);
    expectClose(createSchedule({ kind: 'constant', baseLr: 0.3, warmupSteps: 3 })(1), 0.3 * (1 / 3 + (2 / 3) / 3), 1e-12);
  });

  it('refuses bad options and indices', () => {
    expect(() => createSchedule({ kind: 'step', baseLr: 0.1, stepSize: 0 })).to.throw(OptionError, /stepSize/);
    expect(() => createSchedule({ kind: 'cosine', baseLr: 0.1, totalSteps: 3, warmupSteps: 3 })).to.throw(OptionError, /totalSteps/);
    expect(() => createSchedule({ kind: 'multistep', baseLr: 0.1, milestones: [1, -2] })).to.throw(OptionError, /milestone/);
    expect(() => createSchedule({ kind: 'constant', baseLr: -1 })).to.throw(OptionError, /baseLr/);
    expect(() => createSchedule({ kind: 'constant', baseLr: 1, warmupStartFactor: 2, warmupSteps: 1 })).to.throw(OptionError, /warmupStartFactor/);
    const bogus = JSON.parse('{"kind":"linear","baseLr":1}') as Parameters<typeof createSchedule>[0];
    expect(() => createSchedule(bogus)).to.throw(OptionError, /schedule kind 'linear'/);
    const lr = createSchedule({ kind: 'constant', baseLr: 1 });
    expect(() => lr(-1)).to.throw(OptionError, /step index/);
    expect(() => lr(1.5)).to.throw(OptionError, /step index/);
  });
});
