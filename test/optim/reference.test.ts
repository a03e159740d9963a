// Cross-check against PyTorch itself: test/fixtures/optim/reference.json is written by
// tools/optim_reference.py (torch 1.13) and committed, so this test needs no Python.
import { expect } from 'chai';
import { AdamW, type BaseOptimizer, createSchedule, type ScheduleOptions, Sgd } from '../../src/optim';
import { expectAllClose, readFixture } from './helpers';

interface OptimizerCase {
  name: string;
  optimizer: 'sgd' | 'adamw';
  options: { momentum?: number; weight_decay?: number; nesterov?: boolean; betas?: [number, number]; eps?: number };
  lrs: number[];
  w0: number[];
  grads: number[][];
  expected: number[][];
  finalState: { momentumBuffer?: number[] | null; step?: number; expAvg?: number[]; expAvgSq?: number[] };
}

interface Reference {
  torch: string;
  optimizers: OptimizerCase[];
  schedules: { options: ScheduleOptions; lrs: number[] }[];
}

const reference = JSON.parse(readFixture('reference.json')) as Reference;
const REL = 1e-6;
// Optimizer buffers can be small sums of O(1) terms (e.g. μ·buf + d nearly cancelling), where
// PyTorch's per-operation float32 rounding shows up as ~1 float32 ulp of the operands, not of the
// result; the weights themselves are checked with the pure relative tolerance.
const STATE_ABS = 2e-7;

function build(c: OptimizerCase): BaseOptimizer {
  const o = c.options;
  if (c.optimizer === 'sgd') {
    return new Sgd(c.w0.length, { momentum: o.momentum, weightDecay: o.weight_decay, nesterov: o.nesterov });
  }
  // Fields absent from the case mean PyTorch's defaults, which are also AdamW's defaults here.
  return new AdamW(c.w0.length, { beta1: o.betas?.[0], beta2: o.betas?.[1], eps: o.eps, weightDecay: o.weight_decay });
}

describe(`optim vs PyTorch ${reference.torch} (reference.json)`, () => {
  it('has the cases the brief asks for', () => {
    const names = reference.optimizers.map((c) => c.name).join('\n');
    expect(names).to.match(/sgd momentum 0\.9 wd 5e-4/);
    expect(names).to.match(/sgd nesterov/);
    expect(names).to.match(/adamw/);
    expect(reference.optimizers.every((c) => c.expected.length === 5)).to.equal(true);
  });

  for (const c of reference.optimizers) {
    it(`${c.optimizer}: ${c.name}, every step within ${REL} relative`, () => {
      const opt = build(c);
      const w = Float32Array.from(c.w0);
      c.grads.forEach((g, i) => {
        opt.step(w, Float32Array.from(g), c.lrs[i]);
        expectAllClose(w, c.expected[i], REL, 0, `w after step ${i + 1}`);
      });
      const st = opt.getState();
      if (st.kind === 'sgd') {
        if (c.finalState.momentumBuffer === null) expect(st.momentumBuffer).to.equal(null);
        else expectAllClose(st.momentumBuffer ?? [], c.finalState.momentumBuffer ?? [], REL, STATE_ABS, 'momentum_buffer');
      } else {
        expect(st.step).to.equal(c.finalState.step);
        expectAllClose(st.expAvg, c.finalState.expAvg ?? [], REL, STATE_ABS, 'exp_avg');
        expectAllClose(st.expAvgSq, c.finalState.expAvgSq ?? [], REL, STATE_ABS, 'exp_avg_sq');
      }
    });
  }

  for (const s of reference.schedules) {
    it(`schedule ${JSON.stringify(s.options)} matches PyTorch's scheduler`, () => {
      const lr = createSchedule(s.options);
      expectAllClose(s.lrs.map((_, t) => lr(t)), s.lrs, 1e-9, 1e-15, 'lr');
    });
  }
});
