// Measures the trace and eigenvalue estimators on a zoo model (default resnet20, random init, one
// batch of Gaussian images with random labels; no exact Hessian, so the figures are the reported
// standard errors at equal HVP budgets and the HVPs each eigenvalue method needs):
//   node dist/tools/measure-geometry-zoo.js [model=resnet20] [batch=8] [seeds=3] [sketch=20,10] [skipEigen]
import { Rng } from '../src/core/rng';
import { topEigenvalues } from '../src/geometry/eigen';
import { hutchPlusPlusTrace } from '../src/geometry/hutchpp';
import { lanczosEigenvalues } from '../src/geometry/lanczos';
import { OrtGeometryOracle } from '../src/geometry/ort-geometry-oracle';
import { resolveGeometryModel } from '../src/train/geometry-model';
import { hutchinsonTrace } from '../src/geometry/trace';

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'resnet20';
  const batch = Number(process.argv[3] ?? 8);
  const seeds = Number(process.argv[4] ?? 3);
  const sketches = (process.argv[5] ?? '20,10').split(',').map(Number);
  const skipEigen = process.argv[6] === 'skipEigen';
  const model = resolveGeometryModel(name, { channels: 3, height: 32, numClasses: 10 });
  const oracle = new OrtGeometryOracle(model.artifacts, { threads: 2 });
  const rng = new Rng(1, 'measure');
  const x = Float32Array.from({ length: batch * 3 * 32 * 32 }, () => rng.nextGaussian());
  oracle.setBuffers(model.buffers);
  oracle.setBatches([{ inputs: { [model.artifacts.dataInputs[0].name]: { data: x, dims: [batch, 3, 32, 32] } }, labels: BigInt64Array.from({ length: batch }, () => BigInt(rng.nextU32() % 10)) }]);
  const w = oracle.flatten(model.params);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${name}: ${oracle.size} parameters, batch ${batch}`);
  let t = Date.now();
  if (!skipEigen) {
  const lz = await lanczosEigenvalues(oracle, w, {});
  say(`  lanczos: ${lz.hvps} HVPs (${lz.steps} steps), ${(Date.now() - t) / 1000} s: λ_max ${lz.top[0].value.toPrecision(6)} res ${lz.top[0].relativeResidual.toExponential(1)}, λ_min ${lz.bottom?.value.toPrecision(6)} res ${lz.bottom?.relativeResidual.toExponential(1)}, converged ${lz.converged}`);
  t = Date.now();
  const pw = await topEigenvalues(oracle, w, {});
  say(`  power: ${pw.iterations[0]} HVPs, ${(Date.now() - t) / 1000} s: λ ${pw.eigenvalues[0].toPrecision(6)} converged ${pw.converged[0]}`);
  }
  for (let s = 0; s < seeds; s++) {
    const runs: [string, number][] = [['hutchinson', 0], ...sketches.map((k): [string, number] => [`hutch++ (sketch ${k})`, k])];
    for (const [label, k] of runs) {
      t = Date.now();
      const r = k === 0 ? await hutchinsonTrace(oracle, w, { seed: s, maxIter: 60, relTol: 0 }) : await hutchPlusPlusTrace(oracle, w, { seed: s, maxIter: 60, relTol: 0, sketch: k });
      say(`  ${label} seed ${s} @60 HVPs: ${r.trace.toPrecision(6)} ± ${r.standardError.toPrecision(3)} (${(100 * r.standardError / Math.abs(r.trace)).toFixed(2)} %), ${(Date.now() - t) / 1000} s`);
    }
  }
  await oracle.close();
}

main().catch((e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exitCode = 1; });
