// `crsam analyze`: the paper's Table 3 (‖∇L‖, Tr(H), C(w), λ_max, accuracy) for one or more
// models on a data set split, printed and saved as JSON and a text table.
import { writeFileAtomic } from '../core/atomic-file';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetPair, loadDataset } from '../data';
import { GeometryError, GeometryReport, analyzeGeometry, datasetBatches, formatGeometryTable, resolveGeometryModel } from '../geometry';
import { CommandSpec, FlagSpec, Parsed, UsageError } from './args';
import { ProgressBar } from './progress';
import { DATA_FLAGS, DEVICE_FLAGS } from './common-flags';

const FLAGS: Record<string, FlagSpec> = {
  ...DATA_FLAGS,
  split: { type: 'string', help: 'which split the figures are computed on (the paper\'s Table 3: test)', choices: ['test', 'train'], default: 'test' },
  samples: { type: 'int', help: 'use this many images of the split (a seeded random subset; 0 = all)', default: 1000 },
  'batch-size': { type: 'int', help: 'images per batch (‖∇L‖ is the mean of per-batch norms, so it depends on this)', default: 128 },
  compare: { type: 'list', arg: 'M1,M2', help: 'more models to put in the same table (same data, same probes)', default: [] },
  trace: { type: 'bool', help: 'estimate Tr(H) and C(w) (--no-trace skips them)', default: true },
  'trace-iters': { type: 'int', help: 'most Hutchinson probes (PyHessian: 100)', default: 100 },
  'trace-tol': { type: 'number', help: 'stop the trace when its running mean moves less than this, relative (PyHessian: 1e-3)', default: 1e-3 },
  'top-k': { type: 'int', help: 'how many top Hessian eigenvalues (0 = none)', default: 1 },
  'eigen-iters': { type: 'int', help: 'most power iterations per eigenvalue (PyHessian: 100)', default: 100 },
  'eigen-tol': { type: 'number', help: 'relative tolerance of power iteration (PyHessian: 1e-3)', default: 1e-3 },
  ar: { type: 'bool', help: 'also the approximation ratio of one-step vs 20-step ascent, on training images', default: false },
  rho: { type: 'number', help: 'ascent radius ρ of the approximation ratio', default: 0.1 },
  'ar-steps': { type: 'int', help: 'steps of the multi-step ascent', default: 20 },
  'ar-samples': { type: 'int', help: 'training images the approximation ratio averages over (paper: 5000)', default: 5000 },
  hvp: { type: 'string', help: 'Hessian-vector products: exact (double backward, as PyTorch/PyHessian) or central differences of gradients (on ReLU networks these also count the kinks a step crosses, so they differ)', choices: ['exact', 'fd'], default: 'exact' },
  seed: { type: 'int', help: 'seed of the image subset, the trace probes and the power-iteration start', default: 0 },
  out: { type: 'string', alias: 'o', arg: 'DIR', help: 'where geometry-<split>.json and .txt go (default: the run folder, else ./geometry)' },
  ...DEVICE_FLAGS,
};

export const analyzeSpec: CommandSpec = {
  name: 'analyze',
  summary: "loss-landscape geometry of trained models (the paper's Table 3: ‖∇L‖, Tr(H), C(w), λ_max)",
  usage: 'crsam analyze <model.onnx | run folder> [--data fashion-mnist] [--split test] [--samples 1000] [--compare m2,m3] [--ar] [...]',
  flags: FLAGS,
  positionals: ['model'],
};

function check(f: Parsed['flags']): void {
  for (const k of ['batch-size', 'trace-iters', 'eigen-iters', 'ar-steps', 'ar-samples']) if (!((f[k] as number) >= 1)) throw new UsageError(`--${k} must be at least 1, got ${String(f[k])}`);
  for (const k of ['samples', 'top-k', 'threads']) if ((f[k] as number) < 0) throw new UsageError(`--${k} must not be negative, got ${String(f[k])}`);
  for (const k of ['trace-tol', 'eigen-tol']) if (!((f[k] as number) >= 0)) throw new UsageError(`--${k} must not be negative, got ${String(f[k])}`);
  if (!((f.rho as number) > 0)) throw new UsageError(`--rho must be above 0, got ${String(f.rho)}`);
}

const PHASES: Record<string, string> = { evaluate: 'loss', gradient: 'gradient norm', trace: 'trace', eigenvalues: 'λ_max', ascent: 'approx. ratio' };

export async function runAnalyze(args: Parsed, print: (line: string) => void): Promise<number> {
  const f = args.flags;
  check(f);
  const specs = [args.positionals[0], ...(f.compare as string[])];
  const bar = new ProgressBar(process.stderr);
  try {
    const pair: DatasetPair = loadDataset(f.data as string, { dir: f['data-dir'] as string | undefined, onProgress: (p) => { bar.clear(); print(p.message); } });
    const split = pair[f.split as 'test' | 'train'];
    const shape = { channels: split.channels, height: split.height, numClasses: split.numClasses };
    const reports: GeometryReport[] = [];
    for (const spec of specs) {
      const model = resolveGeometryModel(spec, shape);
      const input = model.artifacts.dataInputs[0].name;
      const batches = datasetBatches(split, pair.train, { samples: f.samples as number, batchSize: f['batch-size'] as number, seed: f.seed as number, inputName: input });
      const ascentBatches = f.ar ? datasetBatches(pair.train, pair.train, { samples: f['ar-samples'] as number, batchSize: f['batch-size'] as number, seed: f.seed as number, inputName: input }) : undefined;
      print(`analyzing ${model.label} (${model.artifacts.params.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0).toLocaleString('en-US')} parameters) on ${batches.reduce((s, b) => s + b.labels.length, 0)} ${f.split} images of ${f.data}`);
      const report = await analyzeGeometry({
        model, batches, ascentBatches, seed: f.seed as number, hvp: f.hvp === 'fd' ? 'finite-difference' : 'exact',
        trace: f.trace ? { maxIter: f['trace-iters'] as number, tol: f['trace-tol'] as number } : false,
        eigenvalues: f['top-k'] as number, eigen: { maxIter: f['eigen-iters'] as number, tol: f['eigen-tol'] as number },
        approximationRatio: f.ar ? { rho: f.rho as number, steps: f['ar-steps'] as number } : false,
        device: f.device as 'cpu', threads: (f.threads as number) || undefined,
        onProgress: (p) => bar.update(`${model.label}: ${PHASES[p.phase]}`, p.done / Math.max(1, p.total), p.estimate !== undefined ? `estimate ${p.estimate.toPrecision(5)}` : ''),
      });
      bar.clear();
      const c = report.cost;
      print(`  done in ${c.seconds.total.toFixed(1)} s: ${report.traceSamples?.length ?? 0} trace probes (${c.seconds.trace.toFixed(1)} s), ${report.eigenIterations?.join('+') ?? 0} power iterations (${c.seconds.eigenvalues.toFixed(1)} s); ${c.gradientPasses} gradient and ${c.hvpPasses} HVP batch passes`);
      reports.push(report);
    }
    const table = formatGeometryTable(reports, `geometry on the ${f.split} split of ${f.data}`);
    print('');
    print(table);
    const first = specs[0];
    const out = (f.out as string | undefined) ?? (fs.existsSync(first) && fs.statSync(first).isDirectory() ? first : 'geometry');
    fs.mkdirSync(out, { recursive: true });
    const stem = path.join(out, `geometry-${f.split}`);
    writeFileAtomic(`${stem}.json`, `${JSON.stringify({ data: f.data, split: f.split, reports }, null, 2)}\n`);
    writeFileAtomic(`${stem}.txt`, `${table}\n`);
    print('');
    print(`saved ${stem}.json and ${stem}.txt`);
    return 0;
  } catch (e) {
    bar.clear();
    if (e instanceof GeometryError) { process.stderr.write(`crsam: ${e.message}\n`); return 1; }
    throw e;
  } finally {
    bar.clear();
  }
}
