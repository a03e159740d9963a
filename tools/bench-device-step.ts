// Measures the parameter-side math of one CR-SAM + SGD-momentum step on an 11 M-float vector
// (ResNet-18's size): the JavaScript loops of src/optim against the step graphs of src/graphs on
// ORT's CPU provider. Interleaves the two and repeats, since the machine is shared; prints JSON.
// Usage: node dist/tools/bench-device-step.js [size] [repeats] [threads]
import { performance } from 'node:perf_hooks';
import { Sgd, combine3, norm } from '../src/optim';
import { StepSessions } from '../src/graphs';

function randomVector(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 2 ** 32 - 0.5; }
  return v;
}

/** The JS reference's vector work of one CR-SAM step: ‖g0‖, w ± e, combine, ‖g‖, SGD update. */
function jsStep(w: Float32Array, g0: Float32Array, gp: Float32Array, gm: Float32Array, wp: Float32Array, wm: Float32Array, sgd: Sgd): void {
  const s = 0.05 / (norm(g0) + 1e-12);
  for (let i = 0; i < w.length; i++) { const e = s * g0[i]; wp[i] = w[i] + e; wm[i] = w[i] - e; }
  combine3(gp, 1.11, gp, 0.09, gm, -0.2, g0);
  norm(gp);
  sgd.step(w, gp, 0.01);
}

async function graphStep(s: StepSessions, w: Float32Array, g0: Float32Array, gp: Float32Array, gm: Float32Array, buf: Float32Array): Promise<void> {
  await s.samPerturb(w, g0, 0.05);
  const c = await s.crsamCombine(gp, gm, g0, { l0: 2.3, lPlus: 2.31, lMinus: 2.305 }, 0.1, 0.01, false);
  await s.sgdUpdate(w, c.g, buf, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: false });
}

const stats = (xs: number[]): { median: number; min: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 11_000_000);
  const repeats = Number(process.argv[3] ?? 5);
  const threads = Number(process.argv[4] ?? 1);
  const [w, g0, gp, gm] = [1, 2, 3, 4].map((k) => randomVector(n, k));
  const wp = new Float32Array(n);
  const wm = new Float32Array(n);
  const sgd = new Sgd(n, { momentum: 0.9, weightDecay: 5e-4 });
  const sessions = new StepSessions({ executionProviders: ['cpu'], intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  // Warm-up: session creation and first allocation are not part of a step.
  jsStep(w, g0, gp, gm, wp, wm, sgd);
  await graphStep(sessions, w, g0, gp, gm, new Float32Array(n));
  const js: number[] = [];
  const graph: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    jsStep(w, g0, gp, gm, wp, wm, sgd);
    js.push(performance.now() - t);
    t = performance.now();
    await graphStep(sessions, w, g0, gp, gm, new Float32Array(n));
    graph.push(performance.now() - t);
  }
  await sessions.release();
  process.stdout.write(`${JSON.stringify({ n, repeats, threads, jsMs: stats(js), graphMs: stats(graph), jsAll: js.map(Math.round), graphAll: graph.map(Math.round) })}\n`);
}

main().catch((e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exitCode = 1; });
