// Measures the curvature estimators against the exact-Hessian fixtures (test/fixtures/geometry/
// exact, from tools/make_exact_hessian_fixtures.py): Lanczos and power-iteration eigenvalues
// (error, HVPs), Hutchinson and Hutch++ traces at equal HVP budgets (spread over seeds, mean
// reported SE, 95 % interval coverage) and the SLQ density's trace. The README's geometry numbers
// come from here:  node dist/tools/measure-geometry.js [seeds=20] [names,...]
import { topEigenvalues } from '../src/geometry/eigen';
import { hutchPlusPlusTrace } from '../src/geometry/hutchpp';
import { lanczosEigenvalues } from '../src/geometry/lanczos';
import { hutchinsonTrace } from '../src/geometry/trace';
import { EXACT_FIXTURES, loadExactHessianFixture } from '../test/geometry/exact-fixture';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

async function main(): Promise<void> {
  const seeds = Number(process.argv[2] ?? 20);
  const only = process.argv[3]?.split(',');
  for (const name of EXACT_FIXTURES.filter((n) => !only || only.includes(n))) {
    const fx = loadExactHessianFixture(name);
    const d = fx.doc;
    const lines = [`${name}: n ${d.parameters}, Tr ${d.trace.toFixed(4)}, ‖H‖²_F ${d.frobeniusSq.toPrecision(4)}, λ ${d.lambdaMin.toPrecision(4)} … ${d.lambdaMax.toPrecision(4)}`];
    let t0 = Date.now();
    const lz = await lanczosEigenvalues(fx.oracle, fx.weights, { seed: 0 });
    lines.push(`  lanczos: ${lz.steps} steps, ${lz.hvps} HVPs, ${(Date.now() - t0) / 1000} s; λ_max ${lz.top[0].value.toPrecision(6)} (err ${pct(rel(lz.top[0].value, d.lambdaMax))}, res ${lz.top[0].relativeResidual.toExponential(1)}), λ_min ${lz.bottom?.value.toPrecision(6)} (err ${pct(rel(lz.bottom?.value ?? NaN, d.lambdaMin))}, res ${lz.bottom?.relativeResidual.toExponential(1)}) converged ${lz.converged}`);
    t0 = Date.now();
    const pw = await topEigenvalues(fx.oracle, fx.weights, { seed: 0 });
    lines.push(`  power: ${pw.iterations[0]} HVPs, ${(Date.now() - t0) / 1000} s; λ ${pw.eigenvalues[0].toPrecision(6)} (err vs λ_max ${pct(rel(pw.eigenvalues[0], d.lambdaMax))}) converged ${pw.converged[0]}`);
    for (const budget of [30, 100]) {
      for (const [label, fn] of [['hutchinson', hutchinsonTrace], ['hutch++', hutchPlusPlusTrace]] as const) {
        const est: number[] = [];
        const ses: number[] = [];
        let cover = 0;
        t0 = Date.now();
        for (let s = 0; s < seeds; s++) {
          const r = await fn(fx.oracle, fx.weights, { seed: s, maxIter: budget, relTol: 0 });
          est.push(r.trace);
          ses.push(r.standardError);
          if (r.interval[0] <= d.trace && d.trace <= r.interval[1]) cover++;
        }
        const mean = est.reduce((a, b) => a + b, 0) / seeds;
        const rmse = Math.sqrt(est.reduce((a, b) => a + (b - d.trace) ** 2, 0) / seeds);
        lines.push(`  ${label} @${budget} HVPs: rms error ${pct(rmse / Math.abs(d.trace))}, mean SE ${pct(ses.reduce((a, b) => a + b, 0) / seeds / Math.abs(d.trace))}, bias ${pct((mean - d.trace) / Math.abs(d.trace))}, 95 % CI coverage ${cover}/${seeds}, ${((Date.now() - t0) / 1000 / seeds).toFixed(2)} s each`);
      }
    }
    t0 = Date.now();
    const dflt = await hutchinsonTrace(fx.oracle, fx.weights, { seed: 0 });
    lines.push(`  hutchinson default: ${dflt.hvps} HVPs, stop ${dflt.stop}, ${dflt.trace.toFixed(4)} ± ${dflt.standardError.toFixed(4)}`);
    const dpp = await hutchPlusPlusTrace(fx.oracle, fx.weights, { seed: 0 });
    lines.push(`  hutch++ default: ${dpp.hvps} HVPs, stop ${dpp.stop}, ${dpp.trace.toFixed(4)} ± ${dpp.standardError.toFixed(4)} (low-rank ${dpp.lowRank.toFixed(4)})`);
    process.stdout.write(`${lines.join('\n')}\n`);
    await fx.oracle.close();
  }
}

main().catch((e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exitCode = 1; });
