// `crsam analyze`: the paper's Table 3 (‖∇L‖, Tr(H), C(w), λ_max, λ_min, accuracy) for one or
// more models on a data set split, each estimate with its error bar and convergence evidence,
// printed and saved as JSON and a text table; optionally the Hessian's spectral density as CSV.
import { writeFileAtomic } from '../core/atomic-file';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetPair, loadDataset } from '../data';
import { GeometryError, GeometryReport, analyzeGeometry, datasetBatches, densityCsv, densityPictures, formatGeometryDetails, formatGeometryTable } from '../geometry';
import { resolveGeometryModel } from '../train/geometry-model';
import { CommandSpec, Parsed, checkRanges } from './args';
import { OptionSchema } from '../core/option-schema';
import { ProgressBar } from './progress';
import { DATA_FLAGS, DEVICE_FLAGS, syntheticFor } from './common-flags';
import { makeOutputDirectory } from '../core/safe-fs';

const FLAGS = {
  ...DATA_FLAGS,
  split: { type: 'string', group: 'data', help: 'which split the figures are computed on (the paper\'s Table 3: test)', choices: ['test', 'train'], default: 'test' },
  samples: { type: 'int', group: 'data', min: 0, help: 'use this many images of the split (a seeded random subset; 0 = all)', default: 1000 },
  'batch-size': { type: 'int', group: 'data', min: 1, help: 'images per batch (‖∇L‖ is the mean of per-batch norms, so it depends on this)', default: 128 },
  compare: { type: 'list', group: 'model', arg: 'M1,M2', help: 'more models to put in the same table (same data, same probes)', default: [] },
  trace: { type: 'bool', group: 'analysis', help: 'estimate Tr(H) and C(w) (--no-trace skips them)', default: true },
  'trace-method': { type: 'string', group: 'analysis', help: 'trace estimator: hutch++ (low-rank part exact, the rest by probes) or hutchinson (PyHessian)', choices: ['hutch++', 'hutchinson'], default: 'hutch++' },
  'trace-iters': { type: 'int', group: 'analysis', min: 1, help: 'most Hessian-vector products for the trace', default: 100 },
  'trace-rel-se': { type: 'number', group: 'analysis', min: 0, help: 'stop the trace once its standard error is at most this fraction of |Tr(H)|', default: 0.02 },
  'trace-tol': { type: 'number', group: 'analysis', min: 0, help: "instead, PyHessian's rule: stop when the running mean moves less than this, relative (says nothing about the error)" },
  'top-k': { type: 'int', group: 'analysis', min: 0, help: 'how many top Hessian eigenvalues (0 = none; Lanczos also reports λ_min)', default: 1 },
  'eigen-method': { type: 'string', group: 'analysis', help: 'eigenvalues by lanczos (λ_max and λ_min, with residuals) or power iteration (PyHessian: largest magnitude only)', choices: ['lanczos', 'power'], default: 'lanczos' },
  'eigen-iters': { type: 'int', group: 'analysis', min: 2, help: 'most Lanczos steps (default 80) or power iterations per eigenvalue (default 100)' },
  'eigen-tol': { type: 'number', group: 'analysis', above: 0, help: 'Lanczos: relative residual ‖Hv − λv‖/‖H‖ that counts as converged; power: relative change (PyHessian)', default: 1e-3 },
  density: { type: 'bool', group: 'analysis', help: "also the Hessian's eigenvalue density by stochastic Lanczos quadrature, saved as CSV (lambda,density) and plotted on a log scale (SVG, PNG)", default: false },
  'density-steps': { type: 'int', group: 'analysis', min: 2, help: 'Lanczos steps per start vector of the density', default: 50 },
  'density-probes': { type: 'int', group: 'analysis', min: 1, help: 'start vectors the density averages over', default: 2 },
  'density-bins': { type: 'int', group: 'analysis', min: 2, help: 'grid points of the density', default: 400 },
  ar: { type: 'bool', group: 'analysis', help: 'also the approximation ratio of one-step vs 20-step ascent, on training images', default: false },
  rho: { type: 'number', group: 'analysis', above: 0, help: 'ascent radius ρ of the approximation ratio', default: 0.1 },
  'ar-steps': { type: 'int', group: 'analysis', min: 1, help: 'steps of the multi-step ascent', default: 20 },
  'ar-samples': { type: 'int', group: 'analysis', min: 1, help: 'training images the approximation ratio averages over (paper: 5000)', default: 5000 },
  hvp: { type: 'string', group: 'analysis', help: 'Hessian-vector products: exact (double backward, as PyTorch/PyHessian) or central differences of gradients (on ReLU networks these also count the kinks a step crosses, so they differ)', choices: ['exact', 'fd'], default: 'exact' },
  seed: { type: 'int', group: 'run', help: 'seed of the image subset, the trace probes and the power-iteration start', default: 0 },
  out: { type: 'string', group: 'output', alias: 'o', arg: 'DIR', help: 'where geometry-<split>.json and .txt go (default: the run folder, else ./geometry)' },
  ...DEVICE_FLAGS,
} as const satisfies OptionSchema;

export const analyzeSpec: CommandSpec<typeof FLAGS> = {
  name: 'analyze',
  summary: "loss-landscape geometry of trained models (the paper's Table 3: ‖∇L‖, Tr(H), C(w), λ_max)",
  usage: 'crsam analyze <model.onnx | run folder> [--data fashion-mnist] [--split test] [--samples 1000] [--compare m2,m3] [--ar] [...]',
  flags: FLAGS,
  positionals: ['model'],
};

const PHASES: Record<string, string> = { evaluate: 'loss', gradient: 'gradient norm', trace: 'trace', eigenvalues: 'λ_max, λ_min', density: 'density', ascent: 'approx. ratio' };

export async function runAnalyze(args: Parsed<typeof FLAGS>, print: (line: string) => void): Promise<number> {
  const f = args.flags;
  checkRanges(FLAGS, f);
  const specs = [args.positionals[0], ...(f.compare)];
  const bar = new ProgressBar(process.stderr);
  try {
    const pair: DatasetPair = loadDataset(f.data, { dir: f['data-dir'], onProgress: (p) => { bar.clear(); print(p.message); }, ...syntheticFor(f.data, specs[0]) });
    const split = pair[f.split];
    const shape = { channels: split.channels, height: split.height, numClasses: split.numClasses };
    const reports: GeometryReport[] = [];
    for (const spec of specs) {
      const model = resolveGeometryModel(spec, shape);
      const input = model.artifacts.dataInputs[0].name;
      const batches = datasetBatches(split, pair.train, { samples: f.samples, batchSize: f['batch-size'], seed: f.seed, inputName: input });
      const ascentBatches = f.ar ? datasetBatches(pair.train, pair.train, { samples: f['ar-samples'], batchSize: f['batch-size'], seed: f.seed, inputName: input }) : undefined;
      print(`analyzing ${model.label} (${model.artifacts.params.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0).toLocaleString('en-US')} parameters) on ${batches.reduce((s, b) => s + b.labels.length, 0)} ${f.split} images of ${f.data}`);
      const report = await analyzeGeometry({
        model, batches, ascentBatches, seed: f.seed, hvp: f.hvp === 'fd' ? 'finite-difference' : 'exact',
        trace: f.trace ? { method: f['trace-method'], maxIter: f['trace-iters'], relTol: f['trace-rel-se'], tol: f['trace-tol'] } : false,
        eigenvalues: f['top-k'], eigen: { method: f['eigen-method'], maxIter: f['eigen-iters'], tol: f['eigen-tol'] },
        density: f.density ? { steps: f['density-steps'], probes: f['density-probes'], bins: f['density-bins'] } : false,
        approximationRatio: f.ar ? { rho: f.rho, steps: f['ar-steps'] } : false,
        device: f.device, threads: f.threads || undefined,
        onProgress: (p) => bar.update(`${model.label}: ${PHASES[p.phase]}`, p.done / Math.max(1, p.total), p.estimate !== undefined ? `estimate ${p.estimate.toPrecision(5)}` : ''),
      });
      bar.clear();
      const c = report.cost;
      print(`  done in ${c.seconds.total.toFixed(1)} s: trace ${report.traceHvps ?? 0} HVPs (${c.seconds.trace.toFixed(1)} s), eigenvalues ${report.eigenHvps ?? 0} HVPs (${c.seconds.eigenvalues.toFixed(1)} s)${report.density ? `, density ${report.density.hvps} HVPs (${c.seconds.density.toFixed(1)} s)` : ''}; ${c.gradientPasses} gradient and ${c.hvpPasses} HVP batch passes`);
      for (const line of formatGeometryDetails(report)) print(`  ${line}`);
      reports.push(report);
    }
    const table = formatGeometryTable(reports, `geometry on the ${f.split} split of ${f.data}`);
    print('');
    print(table);
    const first = specs[0];
    const out = (f.out) ?? (fs.existsSync(first) && fs.statSync(first).isDirectory() ? first : 'geometry');
    makeOutputDirectory(out);
    const stem = path.join(out, `geometry-${f.split}`);
    writeFileAtomic(`${stem}.json`, `${JSON.stringify({ data: f.data, split: f.split, reports }, null, 2)}\n`);
    writeFileAtomic(`${stem}.txt`, `${table}\n`);
    const saved = [`${stem}.json`, `${stem}.txt`];
    reports.forEach((r, i) => {
      if (!r.density) return;
      const base = `${stem}-density${reports.length > 1 ? `-${i + 1}` : ''}`;
      writeFileAtomic(`${base}.csv`, densityCsv(r.density));
      const pictures = densityPictures(r.density, `Hessian eigenvalue density: ${r.model} (${f.split} split)`);
      writeFileAtomic(`${base}.svg`, pictures.svg);
      writeFileAtomic(`${base}.png`, pictures.png);
      saved.push(`${base}.csv`, `${base}.svg`, `${base}.png`);
    });
    print('');
    print(`saved ${saved.join(', ')}`);
    return 0;
  } catch (e) {
    bar.clear();
    if (e instanceof GeometryError) { process.stderr.write(`crsam: ${e.message}\n`); return 1; }
    throw e;
  } finally {
    bar.clear();
  }
}
