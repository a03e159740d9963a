// The Trainer's deviceStep option (src/train/step-path.ts, docs/device-step.md): 'on' runs the
// step graphs, 'off' the JavaScript loops; 3 steps agree to 1e-6 on a model without BatchNorm
// (the MLP) and one with it (the norms fixture), for SGD, SAM, CR-SAM in both forms and AdamW; a
// checkpoint of one path resumes on the other; unsupported options are refused under 'on' and fall
// back under 'auto'.
import { expect } from 'chai';
import * as path from 'node:path';
import { Batch } from '../../src/runtime/batch';
import { Trainer, TrainerOptions, TrainerState } from '../../src/train/trainer';
import { repoRoot } from '../repo-root';
import { loadTorchFixture } from '../torch-fixture';

const TOL_DEFAULT = 1e-6;

/**
 * max |a − b| / max(max |b|, 1) over all entries, leaving out the flat positions (in map order)
 * where `skip` is true.
 */
function diff(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>, skip?: readonly boolean[]): number {
  let worst = 0;
  let at = 0;
  for (const [k, x] of b) {
    const y = a.get(k) as Float32Array;
    expect(y, k).to.not.equal(undefined);
    let d = 0;
    let s = 1;
    for (let i = 0; i < x.length; i++, at++) {
      s = Math.max(s, Math.abs(x[i]));
      if (!skip?.[at]) d = Math.max(d, Math.abs(y[i] - x[i]));
    }
    worst = Math.max(worst, d / s);
  }
  return worst;
}

/**
 * AdamW's step m̂/√v̂ is scale-free: a relative error ε in a gradient element moves w by ≈ ε·lr.
 * The two paths round w ± e differently, so the gradients of the perturbed passes differ by
 * float32 rounding, which is relative to the largest terms of each sum, not to the element: for
 * an element far below the largest gradient ε is large, and where the gradient is pure rounding
 * noise (a bias before a normalization has an analytically zero gradient, measured ~1e-9 here)
 * the two steps can have opposite signs. Positions whose √v is below 1e-3 of the largest are
 * therefore compared only against Adam's bound (2·steps·lr apart); the rest to 1e-6 on the norms
 * CNN. On the MLP, whose synthetic batch leaves many small cancelling gradients, the rest still
 * differed by 2.1e-6 (CR-SAM) and 1.4e-6 (SAM) after 3 steps, so AdamW is held to 1e-5 there.
 */
function noisePositions(states: readonly TrainerState[]): boolean[] | undefined {
  let out: boolean[] | undefined;
  for (const { optimizer: o } of states) {
    if (o.kind !== 'adamw') return undefined;
    let top = 0;
    for (const v of o.expAvgSq) top = Math.max(top, Math.sqrt(v));
    const now = Array.from(o.expAvgSq, (v) => Math.sqrt(v) < 1e-3 * top);
    out = out ? out.map((x, i) => x || now[i]) : now;
  }
  return out;
}

function maxAbsDiff(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): number {
  let d = 0;
  for (const [k, x] of b) { const y = a.get(k) as Float32Array; for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(y[i] - x[i])); }
  return d;
}

interface Model { readonly name: string; readonly path: string; readonly batches: readonly Batch[]; readonly buffers: boolean }

function mlpModel(): Model {
  const batch = (s: number): Batch => {
    const n = 8;
    return {
      inputs: { input: { data: new Float32Array(n * 784).map((_, i) => 0.5 * Math.sin(i * (s + 1) * 0.37)), dims: [n, 1, 28, 28] } },
      labels: BigInt64Array.from({ length: n }, (_, i) => BigInt((i + s) % 10)),
    };
  };
  return { name: 'MLP (no BatchNorm)', path: path.join(repoRoot(), 'models', 'mlp.onnx'), batches: [0, 1, 2].map(batch), buffers: false };
}

function normsModel(): Model {
  const fx = loadTorchFixture('norms');
  const batches = [0, 1, 2].map((s) => ({ inputs: { input: fx.f32(`batches/${s}/input`) }, labels: fx.i64(`batches/${s}/labels`).data }));
  return { name: 'norms CNN (BatchNorm)', path: fx.modelPath, batches, buffers: true };
}

const CASES: readonly { readonly name: string; readonly o: Omit<TrainerOptions, 'model'>; readonly mlpTol?: number }[] = [
  { name: 'SGD', o: { optimizer: 'sgd' } },
  { name: 'SAM', o: { optimizer: 'sam' } },
  { name: 'CR-SAM reference', o: { optimizer: 'crsam', crsamForm: 'reference' } },
  // The paper form divides by L+ + L− − 2L0 ≈ ρ²·curvature (≈ 0.017 at ρ = 0.1 on the norms CNN),
  // which amplifies the float32 rounding of the losses at the two paths' slightly different w ± e:
  // at ρ = 0.1 they differed by 2.4e-5 (norms) and 4e-2 (MLP) after 3 steps. At ρ = 0.5 the
  // denominator is ≥ 0.4 and the amplified rounding stays below 1e-6.
  { name: 'CR-SAM paper', o: { optimizer: 'crsam', crsamForm: 'paper', rho: 0.5 } },
  { name: 'CR-SAM + AdamW', o: { optimizer: 'crsam', base: 'adamw', lr: 0.01 }, mlpTol: 1e-5 },
  { name: 'SAM + AdamW', o: { optimizer: 'sam', base: 'adamw', lr: 0.01 }, mlpTol: 1e-5 },
];

async function withTrainer<T>(options: TrainerOptions, f: (t: Trainer) => Promise<T>): Promise<T> {
  const t = await Trainer.create({ threads: 1, parallel: 'off', ...options });
  try { return await f(t); } finally { await t.close(); }
}

async function run(m: Model, o: Omit<TrainerOptions, 'model'>, deviceStep: 'on' | 'off', steps: number, from?: TrainerState) {
  return withTrainer({ ...o, model: m.path, deviceStep }, async (t) => {
    expect(t.stepPath).to.equal(deviceStep === 'on' ? 'device' : 'js');
    if (from) t.setState(from);
    const losses: number[] = [];
    const states: TrainerState[] = [];
    for (let s = from?.stepCount ?? 0; s < steps; s++) { losses.push((await t.step(m.batches[s])).loss); states.push(t.getState()); }
    return { losses, state: t.getState(), states };
  });
}

describe('Trainer deviceStep: the step graphs against the JavaScript path', function () {
  this.timeout(600000);
  for (const make of [mlpModel, normsModel]) {
    const m = make();
    describe(m.name, () => {
      for (const c of CASES) {
        it(`${c.name}: 3 steps 'on' equal 'off' to ${(!m.buffers && c.mlpTol) || TOL_DEFAULT}; a checkpoint after 2 'on' steps resumes 'off' (and back) equal`, async () => {
          const off = await run(m, c.o, 'off', 3);
          const on = await run(m, c.o, 'on', 3);
          const TOL = (!m.buffers && c.mlpTol) || TOL_DEFAULT;
          const noise = noisePositions(off.states);
          const dw = diff(on.state.params, off.state.params, noise);
          if (noise) expect(noise.filter(Boolean).length, 'positions compared to 1e-6').to.be.below(0.5 * noise.length);
          const db = diff(on.state.buffers, off.state.buffers);
          const dl = Math.max(...on.losses.map((l, i) => Math.abs(l - off.losses[i]) / Math.max(Math.abs(off.losses[i]), 1)));
          const skipped = noise?.filter(Boolean).length ?? 0;
          process.stdout.write(`      (${c.name}: max Δw ${dw.toExponential(2)}, Δbuffers ${db.toExponential(2)}, Δloss ${dl.toExponential(2)}`
            + `${noise ? `; ${skipped} noise-gradient positions, max |Δw| there ${maxAbsDiff(on.state.params, off.state.params).toExponential(2)} ≤ 6·lr` : ''})\n`);
          if (noise) expect(maxAbsDiff(on.state.params, off.state.params), 'noise positions within AdamW\'s bound').to.be.at.most(6 * (c.o.lr as number));
          expect(dw, 'parameters').to.be.below(TOL);
          expect(db, 'BatchNorm buffers').to.be.below(TOL);
          expect(dl, 'losses').to.be.below(TOL);
          expect(on.state.stepCount).to.equal(3);
          expect(on.state.optimizer.kind).to.equal(off.state.optimizer.kind);
          expect(on.state.optimizer.step).to.equal(off.state.optimizer.step);
          if (m.buffers) expect(on.state.buffers.size).to.be.above(0);

          const twoOn = await run(m, c.o, 'on', 2);
          const resumedOff = await run(m, c.o, 'off', 3, twoOn.state);
          expect(diff(resumedOff.state.params, off.state.params, noise), "resumed 'off' parameters").to.be.below(TOL);
          expect(diff(resumedOff.state.buffers, off.state.buffers), "resumed 'off' buffers").to.be.below(TOL);
          const twoOff = await run(m, c.o, 'off', 2);
          const resumedOn = await run(m, c.o, 'on', 3, twoOff.state);
          expect(diff(resumedOn.state.params, off.state.params, noise), "resumed 'on' parameters").to.be.below(TOL);
          // The optimizer state itself (momentum buffer / Adam moments) in the same format.
          const so = resumedOn.state.optimizer;
          const sf = off.state.optimizer;
          if (so.kind === 'sgd' && sf.kind === 'sgd') {
            expect(diff(new Map([['buf', so.momentumBuffer as Float32Array]]), new Map([['buf', sf.momentumBuffer as Float32Array]])), 'momentum buffer').to.be.below(TOL);
          } else if (so.kind === 'adamw' && sf.kind === 'adamw') {
            expect(diff(new Map([['m', so.expAvg]]), new Map([['m', sf.expAvg]]), noise), 'Adam m').to.be.below(TOL);
            expect(diff(new Map([['v', so.expAvgSq]]), new Map([['v', sf.expAvgSq]])), 'Adam v').to.be.below(TOL);
          } else {
            expect.fail(`optimizer kinds differ: ${so.kind} vs ${sf.kind}`);
          }
        });
      }
    });
  }

  const mlp = path.join(repoRoot(), 'models', 'mlp.onnx');
  it("'on' refuses gradient clipping and --bn-update other than first in one sentence, before any session starts", async () => {
    for (const extra of [{ maxGradNorm: 1 }, { bnUpdate: 'all' as const }]) {
      let err: unknown;
      try { await Trainer.create({ model: mlp, deviceStep: 'on', ...extra }); } catch (e) { err = e; }
      expect((err as Error).name).to.equal('OptionError');
      expect((err as Error).message).to.match(/^--device-step on cannot run with --(max-grad-norm|bn-update all)[^.]*; leave that option out, or use --device-step off or auto\.$/);
    }
  });

  it("'auto' takes the JavaScript path on the CPU, and falls back to it for options the graphs lack", async () => {
    await withTrainer({ model: mlp }, async (t) => { expect(t.options.deviceStep).to.equal('auto'); expect(t.stepPath).to.equal('js'); });
    await withTrainer({ model: mlp, deviceStep: 'auto', maxGradNorm: 1 }, async (t) => { expect(t.stepPath).to.equal('js'); });
  });

  it('refuses a deviceStep that is not auto, on or off', async () => {
    let err: unknown;
    try { await Trainer.create({ model: mlp, deviceStep: 'gpu' as 'on' }); } catch (e) { err = e; }
    expect((err as Error).message).to.equal("deviceStep must be one of auto, on, off (got 'gpu').");
  });
});
