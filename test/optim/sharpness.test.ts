// docs/optimizers.md on L(w) = ½wᵀAw + bᵀw + (c/6)Σwᵢ³, whose gradient is Aw + b + (c/2)w², evaluated
// directly by the oracle below. With e = ρ·v the test checks the stepper against the expansions
//   g± = g0 ± Ae + (c/2)(±2w∘e + e∘e)      → g+ + g− − 2g0 = c·e∘e,  g+ − g− = 2Ae + 2c·w∘e
//   L+ + L− − 2L0 = eᵀAe + cΣwᵢeᵢ²         L+ − L− = 2(Aw + b)ᵀe + cΣ(wᵢ²eᵢ + eᵢ³/3)
// (the cubic term is what makes the α curvature term non-zero; for c = 0 it vanishes exactly).
import { expect } from 'chai';
import {
  type BaseOptimizer,
  type EvalRequest,
  type GradientOracle,
  NonFiniteGradientError,
  NonFiniteLossError,
  type OptimizerState,
  SharpnessStep,
  type SharpnessStepOptions,
  Sgd,
} from '../../src/optim';
import { expectAllClose, expectClose } from './helpers';
import { OptionError } from '../../src/core/option-error';

type Vec = number[];
const A: Vec[] = [
  [2, 0.5, 0],
  [0.5, 1, -0.25],
  [0, -0.25, 3],
];
const B: Vec = [0.1, -0.2, 0.3];
const W0: Vec = [0.5, -1, 2];

const matVec = (m: Vec[], x: Vec): Vec => m.map((row) => row.reduce((s, a, j) => s + a * x[j], 0));
const dotV = (x: Vec, y: Vec): number => x.reduce((s, a, i) => s + a * y[i], 0);
const add = (...vs: [number, Vec][]): Vec => vs[0][1].map((_, i) => vs.reduce((s, [k, v]) => s + k * v[i], 0));
const mul = (x: Vec, y: Vec): Vec => x.map((a, i) => a * y[i]);
const normV = (x: Vec): number => Math.sqrt(dotV(x, x));

function loss(w: ArrayLike<number>, c: number): number {
  const x = Array.from(w);
  return 0.5 * dotV(x, matVec(A, x)) + dotV(B, x) + (c / 6) * x.reduce((s, a) => s + a * a * a, 0);
}
function grad(w: ArrayLike<number>, c: number): Vec {
  const x = Array.from(w);
  return add([1, matVec(A, x)], [1, B], [c / 2, mul(x, x)]);
}

interface Call {
  weights: Vec;
  updateBuffers: boolean;
}

/** Evaluates the cubic directly, records every call, and can corrupt chosen results. */
class CubicOracle implements GradientOracle {
  readonly calls: Call[][] = [];
  readonly requests: (readonly EvalRequest[])[] = [];
  constructor(
    readonly c: number,
    readonly corrupt?: (call: number, req: number) => { loss?: number; grad?: number } | undefined,
  ) {}
  async evaluate(requests: readonly EvalRequest[]): Promise<number[]> {
    const call = this.calls.length;
    this.calls.push(requests.map((r) => ({ weights: Array.from(r.weights), updateBuffers: r.updateBuffers })));
    this.requests.push(requests);
    // Resolve later rather than synchronously, as a real session would.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return requests.map((r, k) => {
      r.gradOut.set(grad(r.weights, this.c));
      const bad = this.corrupt?.(call, k);
      if (bad?.grad !== undefined) r.gradOut[0] = bad.grad;
      return bad?.loss ?? loss(r.weights, this.c);
    });
  }
}

/** Base optimizer that records what it was asked to do and moves w by −lr·g. */
class Recorder implements BaseOptimizer {
  readonly size = 3;
  seenW: Vec = [];
  seenG: Vec = [];
  steps = 0;
  step(w: Float32Array, g: Float32Array, lr: number): void {
    this.seenW = Array.from(w);
    this.seenG = Array.from(g);
    for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
    this.steps++;
  }
  getState(): OptimizerState {
    return { kind: 'sgd', step: this.steps, momentumBuffer: null };
  }
  setState(state: OptimizerState): void {
    this.steps = state.step;
  }
}

/** The closed forms of the file header at W0 for ρ, c, in float64. */
function closedForm(rho: number, c: number) {
  const g0 = grad(W0, c);
  const e = g0.map((x) => (rho * x) / (normV(g0) + 1e-12));
  const Ae = matVec(A, e);
  const gPlus = add([1, g0], [1, Ae], [c, mul(W0, e)], [c / 2, mul(e, e)]);
  const L0 = loss(W0, c);
  const second = dotV(e, Ae) + c * dotV(W0, mul(e, e));
  const first = 2 * dotV(add([1, matVec(A, W0)], [1, B]), e) + c * e.reduce((s, ei, i) => s + W0[i] * W0[i] * ei + (ei * ei * ei) / 3, 0);
  const gSum = mul(e, e).map((x) => c * x); // g+ + g− − 2g0
  const gDiff = add([2, Ae], [2 * c, mul(W0, e)]); // g+ − g−
  return { g0, e, gPlus, L0, Lplus: L0 + (first + second) / 2, Lminus: L0 + (second - first) / 2, second, first, gSum, gDiff };
}

const REL = 2e-5;
const ABS = 2e-6;
const f32 = (x: Vec): Vec => Array.from(Float32Array.from(x));

async function oneStep(options: Omit<SharpnessStepOptions, 'baseOptimizer'>, c = 0.6, lr = 0.1) {
  const base = new Recorder();
  const stepper = new SharpnessStep({ ...options, baseOptimizer: base });
  const oracle = new CubicOracle(c);
  const w = Float32Array.from(W0);
  const metrics = await stepper.step(w, oracle, lr);
  return { base, stepper, oracle, w, metrics };
}

describe('optim/sharpness', () => {
  it('sgd: one pass at w, base step with g0', async () => {
    const { base, oracle, metrics, w } = await oneStep({ method: 'sgd' });
    const cf = closedForm(0.1, 0.6);
    expect(oracle.calls.length).to.equal(1);
    expect(oracle.calls[0]).to.deep.equal([{ weights: f32(W0), updateBuffers: true }]);
    expectAllClose(base.seenG, cf.g0, REL, ABS, 'g0');
    expectAllClose(w, add([1, W0], [-0.1, cf.g0]), REL, ABS, 'w');
    expectClose(metrics.loss, cf.L0, 1e-7);
    expectClose(metrics.gradNorm, normV(cf.g0), 1e-6);
    expect(metrics).to.include({ stepIndex: 0, lr: 0.1, lossPlus: undefined, curvature: undefined });
  });

  it('sam: perturbs along g0/‖g0‖, steps from w with g+', async () => {
    const rho = 0.3;
    const { base, oracle, metrics, w } = await oneStep({ method: 'sam', rho });
    const cf = closedForm(rho, 0.6);
    expect(oracle.calls.length).to.equal(2);
    expect(oracle.calls[1].length).to.equal(1);
    expectAllClose(oracle.calls[1][0].weights, add([1, W0], [1, cf.e]), 1e-6, 1e-7, 'w + e');
    expect(oracle.calls[1][0].updateBuffers).to.equal(false);
    expectClose(metrics.lossPlus, cf.Lplus, REL, ABS, 'L+');
    expect(base.seenW).to.deep.equal(f32(W0)); // from w, not from w + e
    expectAllClose(base.seenG, cf.gPlus, REL, ABS, 'g+');
    expectAllClose(w, add([1, W0], [-0.1, cf.gPlus]), REL, ABS, 'w after');
    expect(metrics.lossMinus).to.equal(undefined);
  });

  for (const eta of [0, 0.01]) {
    it(`asam (η = ${eta}): e = ρ·T²g0/(‖T·g0‖ + 1e-12), T = |w| + η`, async () => {
      const rho = 0.5;
      const { oracle, base } = await oneStep({ method: 'asam', rho, asamEta: eta });
      const g0 = grad(W0, 0.6);
      const T = W0.map((x) => Math.abs(x) + eta);
      const e = mul(mul(T, T), g0).map((x) => (rho * x) / (normV(mul(T, g0)) + 1e-12));
      expectAllClose(oracle.calls[1][0].weights, add([1, W0], [1, e]), 1e-6, 1e-7, 'w + e');
      expectAllClose(base.seenG, grad(add([1, W0], [1, e]), 0.6), REL, ABS, 'g+');
    });
  }

  it('crsam reference form: both perturbed passes in one call, combined gradient and metrics', async () => {
    const [rho, alpha, beta] = [0.25, 0.5, 0.2];
    const { base, oracle, metrics, w } = await oneStep({ method: 'crsam', rho, alpha, beta });
    const cf = closedForm(rho, 0.6);
    expect(oracle.calls.length).to.equal(2);
    expect(oracle.calls[1].length).to.equal(2);
    expectAllClose(oracle.calls[1][0].weights, add([1, W0], [1, cf.e]), 1e-6, 1e-7, 'w + e');
    expectAllClose(oracle.calls[1][1].weights, add([1, W0], [-1, cf.e]), 1e-6, 1e-7, 'w − e');
    expectClose(metrics.lossPlus, cf.Lplus, REL, ABS, 'L+');
    expectClose(metrics.lossMinus, cf.Lminus, REL, ABS, 'L−');
    expectClose(metrics.curvature, cf.second / rho ** 2, 1e-4, 0, 'curvature');
    expectClose(metrics.slope, cf.first / (2 * rho), 1e-4, 0, 'slope');
    expect(metrics.droppedTerms).to.equal(0);
    const g = add([1, cf.gPlus], [alpha, cf.gSum], [beta, cf.gDiff]);
    expect(base.seenW).to.deep.equal(f32(W0));
    expectAllClose(base.seenG, g, REL, ABS, 'combined g');
    expectClose(metrics.updateGradNorm, normV(g), 1e-5);
    expectAllClose(w, add([1, W0], [-0.1, g]), REL, ABS, 'w after');
  });

  it('crsam paper form divides each term by its loss difference', async () => {
    const [rho, alpha, beta] = [0.25, 0.5, 0.2];
    const { base, metrics } = await oneStep({ method: 'crsam', rho, alpha, beta, crsamForm: 'paper' });
    const cf = closedForm(rho, 0.6);
    expect(cf.second).to.be.greaterThan(0.05); // both denominators well away from the 1e-12 floor
    expect(cf.first).to.be.greaterThan(0.05);
    const g = add([1, cf.gPlus], [alpha / cf.second, cf.gSum], [beta / cf.first, cf.gDiff]);
    expectAllClose(base.seenG, g, 1e-4, ABS, 'combined g');
    expect(metrics.droppedTerms).to.equal(0);
  });

  it('crsam on a pure quadratic: the α term vanishes and the paper β term is β·Ae/(ρ‖g0‖)', async () => {
    const [rho, beta] = [0.2, 0.3];
    const { base } = await oneStep({ method: 'crsam', rho, alpha: 0.7, beta, crsamForm: 'paper' }, 0);
    const cf = closedForm(rho, 0);
    const Ae = matVec(A, cf.e);
    expectAllClose(base.seenG, add([1, cf.g0], [1, Ae], [beta / (rho * normV(cf.g0)), Ae]), 1e-4, ABS, 'g');
  });

  it('paper form drops and counts terms whose denominator is ≤ 1e-12', async () => {
    // L linear (A = 0, c = 0 is emulated by a linear oracle): L+ + L− − 2L0 = 0 → α term dropped.
    const linear: GradientOracle = {
      async evaluate(reqs) {
        return reqs.map((r) => {
          r.gradOut.set([1, 2, 2]);
          return r.weights[0] + 2 * r.weights[1] + 2 * r.weights[2];
        });
      },
    };
    const base = new Recorder();
    const s = new SharpnessStep({ method: 'crsam', rho: 0.1, alpha: 0.5, beta: 0.1, crsamForm: 'paper', baseOptimizer: base });
    const m = await s.step(Float32Array.from(W0), linear, 0.1);
    expect(m.droppedTerms).to.equal(1);
    // g+ = g− = g0 = (1,2,2): the β term is 0·… and the update gradient is g+.
    expectAllClose(base.seenG, [1, 2, 2], 1e-7);

    // At a stationary point e = 0, so L+ = L− = L0: both terms dropped; with α = 0 only β counts.
    const flat: GradientOracle = {
      async evaluate(reqs) {
        return reqs.map((r) => {
          r.gradOut.fill(0);
          return 1;
        });
      },
    };
    const both = new SharpnessStep({ method: 'crsam', crsamForm: 'paper', baseOptimizer: new Recorder() });
    expect((await both.step(Float32Array.from(W0), flat, 0.1)).droppedTerms).to.equal(2);
    const onlyBeta = new SharpnessStep({ method: 'crsam', crsamForm: 'paper', alpha: 0, baseOptimizer: new Recorder() });
    expect((await onlyBeta.step(Float32Array.from(W0), flat, 0.1)).droppedTerms).to.equal(1);
  });

  it('steps the real SGD from w with the combined gradient', async () => {
    const [rho, alpha, beta, lr, wd] = [0.25, 0.1, 0.01, 0.05, 5e-3];
    const sgd = new Sgd(3, { momentum: 0.9, weightDecay: wd });
    const stepper = new SharpnessStep({ method: 'crsam', rho, alpha, beta, baseOptimizer: sgd });
    const w = Float32Array.from(W0);
    await stepper.step(w, new CubicOracle(0.6), lr);
    const cf = closedForm(rho, 0.6);
    const g = add([1, cf.gPlus], [alpha, cf.gSum], [beta, cf.gDiff]);
    // First SGD step: buf = d = g + wd·w, w ← w − lr·d.
    expectAllClose(w, add([1 - lr * wd, W0], [-lr, g]), REL, ABS, 'w after');
    expect(sgd.stepCount).to.equal(1);
  });

  const flags: [SharpnessStepOptions['bnUpdate'], boolean[], boolean[]][] = [
    ['first', [true, false], [true, false, false]],
    ['all', [true, true], [true, true, true]],
    ['first-and-minus', [true, false], [true, false, true]],
  ];
  for (const [bnUpdate, sam, crsam] of flags) {
    it(`bnUpdate '${bnUpdate}' sets updateBuffers per pass`, async () => {
      const a = await oneStep({ method: 'sam', bnUpdate });
      expect(a.oracle.calls.flat().map((r) => r.updateBuffers)).to.deep.equal(sam);
      const b = await oneStep({ method: 'crsam', bnUpdate });
      expect(b.oracle.calls.flat().map((r) => r.updateBuffers)).to.deep.equal(crsam);
    });
  }

  for (const [call, req, pass] of [[0, 0, 'w'], [1, 0, 'w+e'], [1, 1, 'w-e']] as const) {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`a ${bad} loss at ${pass} throws NonFiniteLossError and leaves w and the optimizer unchanged`, async () => {
        const sgd = new Sgd(3, { momentum: 0.9 });
        const stepper = new SharpnessStep({ method: 'crsam', baseOptimizer: sgd });
        const w = Float32Array.from(W0);
        const oracle = new CubicOracle(0.6, (c, r) => (c === call && r === req ? { loss: bad } : undefined));
        let err: unknown;
        try {
          await stepper.step(w, oracle, 0.1);
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(NonFiniteLossError);
        expect((err as NonFiniteLossError).pass).to.equal(pass);
        expect((err as Error).message).to.match(/left unchanged/);
        expect(Array.from(w)).to.deep.equal(f32(W0));
        expect(sgd.getState()).to.deep.equal({ kind: 'sgd', step: 0, momentumBuffer: null });
        expect(stepper.stepCount).to.equal(0);
      });
    }
  }

  it('a NaN gradient with finite losses throws NonFiniteGradientError before touching w', async () => {
    for (const [call, pass] of [[0, 'w'], [1, 'update']] as const) {
      const stepper = new SharpnessStep({ method: 'crsam', baseOptimizer: new Sgd(3) });
      const w = Float32Array.from(W0);
      const oracle = new CubicOracle(0.6, (c, r) => (c === call && r === 0 ? { grad: Number.NaN } : undefined));
      const err = await stepper.step(w, oracle, 0.1).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(NonFiniteGradientError);
      expect((err as NonFiniteGradientError).pass).to.equal(pass);
      expect(Array.from(w)).to.deep.equal(f32(W0));
    }
  });

  it('refuses rho ≤ 0 for the sharpness methods, in one sentence', () => {
    for (const method of ['sam', 'asam', 'crsam'] as const) {
      for (const rho of [0, -0.1, Number.NaN]) {
        expect(() => new SharpnessStep({ method, rho, baseOptimizer: new Sgd(3) })).to.throw(
          OptionError,
          new RegExp(`^rho must be a finite number > 0 for method '${method}' \\(got ${rho}\\)\\.$`),
        );
      }
    }
    expect(() => new SharpnessStep({ method: 'sgd', rho: 0, baseOptimizer: new Sgd(3) })).not.to.throw();
  });

  it('refuses unknown methods, forms and policies, and bad coefficients', () => {
    const base = new Sgd(3);
    const bogus = JSON.parse('{"method":"gsam"}') as SharpnessStepOptions;
    expect(() => new SharpnessStep({ ...bogus, baseOptimizer: base })).to.throw(OptionError, /method must be one of/);
    const bn = JSON.parse('{"method":"sam","bnUpdate":"none"}') as SharpnessStepOptions;
    expect(() => new SharpnessStep({ ...bn, baseOptimizer: base })).to.throw(OptionError, /bnUpdate/);
    expect(() => new SharpnessStep({ method: 'crsam', alpha: -1, baseOptimizer: base })).to.throw(OptionError, /alpha/);
    expect(() => new SharpnessStep({ method: 'sam', maxGradNorm: 0, baseOptimizer: base })).to.throw(OptionError, /maxGradNorm/);
  });

  it('reuses its buffers across steps, rejects overlapping steps and bad oracles', async () => {
    const stepper = new SharpnessStep({ method: 'crsam', baseOptimizer: new Sgd(3, { momentum: 0.9 }) });
    const oracle = new CubicOracle(0.6);
    const w = Float32Array.from(W0);
    await stepper.step(w, oracle, 0.01);
    await stepper.step(w, oracle, 0.01);
    const [r0, r1, r2, r3] = oracle.requests;
    expect(r2).to.equal(r0); // the request at w is cached while w is the same array
    expect(r3).to.equal(r1);
    expect(r3[0].gradOut).to.equal(r1[0].gradOut);
    expect(r3[1].weights).to.equal(r1[1].weights);

    const first = stepper.step(w, oracle, 0.01);
    const err = await stepper.step(w, oracle, 0.01).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error).with.property('message').that.matches(/previous step/);
    await first;
    expect(stepper.stepCount).to.equal(3);

    const short: GradientOracle = { evaluate: async () => [1] };
    const e2 = await stepper.step(w, short, 0.01).then(() => null, (e: unknown) => e);
    expect(e2).to.be.instanceOf(Error).with.property('message').that.matches(/returned 1 losses for 2 request/);
    const e3 = await stepper.step(new Float32Array(4), oracle, 0.01).then(() => null, (e: unknown) => e);
    expect(e3).to.be.instanceOf(OptionError);
  });

  it('clips the update gradient to maxGradNorm and reports the pre-clip norm', async () => {
    const { base, metrics } = await oneStep({ method: 'sam', rho: 0.1, maxGradNorm: 0.5 });
    const gPlus = closedForm(0.1, 0.6).gPlus;
    expect(normV(gPlus)).to.be.greaterThan(1);
    expectClose(metrics.updateGradNorm, normV(gPlus), 1e-5);
    expectAllClose(base.seenG, gPlus.map((x) => (x * 0.5) / (normV(gPlus) + 1e-6)), 1e-5, ABS, 'clipped');
  });

  it('getState/setState resume a run exactly', async () => {
    const make = (): SharpnessStep => new SharpnessStep({ method: 'sam', rho: 0.2, baseOptimizer: new Sgd(3, { momentum: 0.9, nesterov: true }) });
    const oracle = new CubicOracle(0.6);
    const a = make();
    const wa = Float32Array.from(W0);
    for (let i = 0; i < 4; i++) await a.step(wa, oracle, 0.05);

    const b = make();
    const wb = Float32Array.from(W0);
    await b.step(wb, oracle, 0.05);
    await b.step(wb, oracle, 0.05);
    const c = make();
    c.setState(b.getState());
    expect((await c.step(wb, oracle, 0.05)).stepIndex).to.equal(2);
    await c.step(wb, oracle, 0.05);
    expect(Array.from(wb)).to.deep.equal(Array.from(wa));
  });

  it('sam and crsam descend the convex quadratic to its minimizer neighbourhood', async () => {
    for (const method of ['sam', 'crsam'] as const) {
      const s = new SharpnessStep({ method, rho: 0.05, baseOptimizer: new Sgd(3, { momentum: 0.9 }) });
      const oracle = new CubicOracle(0);
      const w = Float32Array.from(W0);
      let last = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 300; i++) last = (await s.step(w, oracle, 0.05)).loss;
      // ∇L = Aw + b = 0 at the minimizer; SAM-family steps settle within O(ρ) of it.
      expect(normV(grad(w, 0))).to.be.lessThan(0.2);
      expect(last).to.be.lessThan(loss(W0, 0));
    }
  });
});
