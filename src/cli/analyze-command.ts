// `crsam analyze`: the paper's Table 3 (‖∇L‖, Tr(H), C(w), λ_max, λ_min, accuracy) for one or
// more models on a data set split, each estimate with its error bar and convergence evidence,
// printed and saved as JSON and a text table; optionally the Hessian's spectral density as CSV.
import { tensorSize } from '../onnx/ir';
import { writeFileAtomic } from '../core/atomic-file';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANALYZE_OPTIONS, GeometryReport, analyzeGeometry, densityCsv, densityPictures, formatGeometryDetails, formatGeometryTable } from '../geometry';
import { CommandSpec, Parsed, checkRanges } from './args';
import { OptionSchema } from '../core/option-schema';
import { ProgressBar } from './progress';
import { DATA_FLAGS, DEVICE_FLAGS, analysisData } from './common-flags';
import { makeOutputDirectory } from '../core/safe-fs';

const FLAGS = { ...DATA_FLAGS, ...ANALYZE_OPTIONS, ...DEVICE_FLAGS } as const satisfies OptionSchema;

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
    const data = analysisData(f, specs, bar, print);
    const reports: GeometryReport[] = [];
    for (const spec of specs) {
      const { model, batches: batchesOf } = data.load(spec);
      const batches = batchesOf();
      const ascentBatches = f.ar ? batchesOf(data.pair.train, f['ar-samples']) : undefined;
      print(`analyzing ${model.label} (${model.artifacts.params.reduce((s, p) => s + tensorSize(p.dims), 0).toLocaleString('en-US')} parameters) on ${batches.reduce((s, b) => s + b.labels.length, 0)} ${f.split} images of ${f.data}`);
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
  } finally {
    bar.clear();
  }
}
