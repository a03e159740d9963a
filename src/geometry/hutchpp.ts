// Hutch++ (Meyer, Musco, Musco & Woodruff, SOSA 2021): Tr(H) = Tr(QᵀHQ) + Tr((I−QQᵀ)H(I−QQᵀ)),
// with Q an orthonormal basis of H·S for k Rademacher columns S. The first term is computed
// exactly (k HVPs for HS, k for HQ); Hutchinson estimates only the deflated remainder, whose
// variance 2‖(I−QQᵀ)H(I−QQᵀ)‖²_F is much smaller than 2‖H‖²_F when the spectrum decays. The
// standard error is the remainder's, conditional on Q (the exact part has none). See docs/geometry.md.
import { Rng } from '../core/rng';
import { axpy, dot, norm, scale } from '../optim/vector';
import { GeometryError } from './errors';
import { ANALYZE_OPTIONS } from './geometry-options';
import { GeometryOracle } from './oracle';
import { fillRademacher } from './probes';
import { meanWithError } from './stats';
import { TraceOptions, TraceResult, checkBudget, probeLoop } from './trace';

/** v ← (I − QQᵀ)v, twice (float32 rounding leaves ~1e-7 of Q after one pass). */
function deflate(v: Float32Array, q: readonly Float32Array[]): void {
  for (let pass = 0; pass < 2; pass++) for (const u of q) axpy(v, -dot(v, u), u);
}

export async function hutchPlusPlusTrace(oracle: GeometryOracle, w: Float32Array, options: TraceOptions = {}): Promise<TraceResult> {
  const maxIter = options.maxIter ?? ANALYZE_OPTIONS['trace-iters'].default;
  checkBudget(maxIter);
  // ⌊budget/6⌋, not the paper's budget/3: on resnet20 (60 HVPs) a sketch of 10 gave SE 8.0 %, one
  // of 20 gave 10 % (a few outliers carry ‖H‖_F; more probes help more than more sketch), and on
  // flat spectra a smaller sketch wastes less. tools/measure-geometry-zoo.ts; README.
  const k = Math.min(options.sketch ?? Math.max(1, Math.floor(maxIter / 6)), oracle.size);
  if (!(Number.isInteger(k) && k >= 1)) throw new GeometryError(`the Hutch++ sketch must be a whole number ≥ 1, got ${k}`);
  if (2 * k + 2 > maxIter && k < oracle.size) throw new GeometryError(`Hutch++ with a sketch of ${k} needs at least ${2 * k + 2} HVPs; raise the budget or shrink the sketch`);
  const rng = new Rng(options.seed ?? 0, 'hutch++');
  const n = oracle.size;
  let hvps = 0;
  const s = new Float32Array(n);
  const q: Float32Array[] = [];
  let biggest = 0;
  for (let i = 0; i < k; i++) {
    fillRademacher(rng, s);
    const y = new Float32Array(n);
    await oracle.hvp(w, s, y, options.batches);
    hvps++;
    options.onIteration?.(hvps - 1, NaN);
    const before = norm(y);
    biggest = Math.max(biggest, before);
    deflate(y, q);
    const after = norm(y);
    // A column already in span(Q) (rank-deficient H) adds nothing.
    if (after > 1e-5 * biggest && after > 0) { scale(y, 1 / after); q.push(y); }
  }
  const hq = new Float32Array(n);
  let lowRank = 0;
  for (const u of q) {
    await oracle.hvp(w, u, hq, options.batches);
    lowRank += dot(u, hq);
    hvps++;
    options.onIteration?.(hvps - 1, lowRank);
  }
  const v = new Float32Array(n);
  const hv = new Float32Array(n);
  let stop: TraceResult['stop'] = 'relative-se';
  let samples: number[] = [];
  if (q.length < n) {
    const loop = await probeLoop(options, maxIter - hvps, lowRank, hvps,
      (i) => { if (options.probe) options.probe(i, v); else fillRademacher(rng, v); deflate(v, q); },
      async () => { await oracle.hvp(w, v, hv, options.batches); return dot(v, hv); });
    samples = loop.samples;
    stop = loop.stop;
  }
  hvps += samples.length;
  const e = q.length < n ? meanWithError(samples, options.level ?? 0.95, lowRank)
    : { value: lowRank, standardError: 0, interval: [lowRank, lowRank] as const, level: options.level ?? 0.95 };
  return { ...e, method: 'hutch++', trace: e.value, samples, lowRank, sketch: q.length, hvps, stop, converged: stop !== 'budget' };
}
