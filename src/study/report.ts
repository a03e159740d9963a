// The study's report: per treatment, mean ± std over seeds of every figure, and each figure's
// difference to SGD (same other settings) paired by seed with its 95 % interval; written as
// Markdown, JSON and overlaid curves.
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file';
import { ContourPlot, LineChart, LineSeries, contourGridPng, contourGridSvg, lineChartPng, lineChartSvg } from '../plot';
import { GridCell, SEED_FLAG, cellName } from './grid';
import { CellResult } from './results';
import { PairedDifference, Summary, mean, pairedDifference, summarize } from './stats';

/** The figures a report compares, in table order. */
export const FIGURES = ['finalTestAccuracy', 'bestValTestAccuracy', 'gradNorm', 'trace', 'normalizedTrace', 'lambdaMax', 'wallSeconds', 'passesPerStep'] as const;
export type Figure = (typeof FIGURES)[number];

export interface TreatmentReport {
  readonly treatment: string;
  readonly optimizer: string;
  readonly runs: readonly string[];
  readonly seeds: readonly string[];
  readonly figures: Readonly<Record<Figure, Summary>>;
  /** Mean standard error of the runs' trace estimates (the estimator's own error bar). */
  readonly traceStdError: number;
  /** The SGD treatment it is compared with, and the paired differences (absent for SGD itself or without one). */
  readonly baseline?: string;
  readonly vsBaseline?: Readonly<Record<Figure, PairedDifference>>;
}

export interface StudyReport {
  readonly treatments: readonly TreatmentReport[];
  readonly cells: readonly CellResult[];
  /** Cells that have not finished (not in the statistics). */
  readonly missing: readonly string[];
}

/** The SGD treatment with the same other axis values, e.g. `crsam-rho0.05` → `sgd-rho0.05`. */
function baselineOf(cell: GridCell): string | undefined {
  if (!('optimizer' in cell.axes) || cell.axes.optimizer === 'sgd') return undefined;
  const axes = Object.fromEntries(Object.entries({ ...cell.axes, optimizer: 'sgd' }).filter(([k]) => k !== SEED_FLAG));
  return cellName(axes);
}

export function buildReport(cells: readonly GridCell[], results: readonly CellResult[], missing: readonly string[]): StudyReport {
  const byTreatment = new Map<string, CellResult[]>();
  for (const r of results) byTreatment.set(r.treatment, [...(byTreatment.get(r.treatment) ?? []), r]);
  const cellOf = new Map(cells.map((c) => [c.name, c]));
  const bySeed = (rs: readonly CellResult[], f: Figure) => new Map(rs.map((r) => [r.seed, r[f]]));
  const treatments: TreatmentReport[] = [];
  for (const [treatment, rs] of byTreatment) {
    const figures = Object.fromEntries(FIGURES.map((f) => [f, summarize(rs.map((r) => r[f]))])) as Record<Figure, Summary>;
    const first = cellOf.get(rs[0].cell);
    const baseline = first ? baselineOf(first) : undefined;
    const base = baseline ? byTreatment.get(baseline) : undefined;
    const vsBaseline = base ? Object.fromEntries(FIGURES.map((f) => [f, pairedDifference(bySeed(rs, f), bySeed(base, f))])) as Record<Figure, PairedDifference> : undefined;
    treatments.push({
      treatment, optimizer: rs[0].optimizer, runs: rs.map((r) => r.cell), seeds: rs.map((r) => r.seed), figures,
      traceStdError: mean(rs.map((r) => r.traceStdError).filter(Number.isFinite)),
      ...(base ? { baseline, vsBaseline } : {}),
    });
  }
  return { treatments, cells: results, missing };
}

const LABELS: Record<Figure, string> = {
  finalTestAccuracy: 'final test acc. (%)',
  bestValTestAccuracy: 'best-by-val test acc. (%)',
  gradNorm: '‖∇L‖ (test)',
  trace: 'Tr(H) (test)',
  normalizedTrace: 'C(w)',
  lambdaMax: 'λ_max',
  wallSeconds: 'wall time (s)',
  passesPerStep: 'passes/step',
};

const PERCENT = new Set<Figure>(['finalTestAccuracy', 'bestValTestAccuracy']);

function fmt(x: number, f: Figure): string {
  if (!Number.isFinite(x)) return '–';
  const v = PERCENT.has(f) ? 100 * x : x;
  if (f === 'passesPerStep') return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function cell(s: Summary, f: Figure): string {
  if (!Number.isFinite(s.mean)) return '–';
  return Number.isFinite(s.std) && f !== 'passesPerStep' ? `${fmt(s.mean, f)} ± ${fmt(s.std, f)}` : fmt(s.mean, f);
}

function diff(d: PairedDifference | undefined, f: Figure): string {
  if (!d || !Number.isFinite(d.mean)) return '–';
  const ci = Number.isFinite(d.low) ? ` [${fmt(d.low, f)}, ${fmt(d.high, f)}]` : '';
  return `${d.mean >= 0 ? '+' : ''}${fmt(d.mean, f)}${ci}`;
}

/** The report as Markdown: the main table, then the paired differences to SGD. */
export function reportMarkdown(report: StudyReport, title: string): string {
  const lines = [`# ${title}`, ''];
  const head = ['treatment', 'runs', ...FIGURES.map((f) => LABELS[f])];
  lines.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
  for (const t of report.treatments) {
    const trace = t.figures.trace;
    const figs = FIGURES.map((f) => (f === 'trace' && Number.isFinite(t.traceStdError) ? `${cell(trace, f)} (SE ${fmt(t.traceStdError, f)})` : cell(t.figures[f], f)));
    lines.push(`| ${t.treatment} | ${t.runs.length} | ${figs.join(' | ')} |`);
  }
  lines.push('', 'Mean ± sample standard deviation over seeds. SE: the mean standard error of the runs\' own trace estimates.', '');
  const compared = report.treatments.filter((t) => t.vsBaseline);
  if (compared.length) {
    lines.push('## Difference to SGD, paired by seed (mean [95 % confidence interval])', '');
    const dh = ['treatment', 'vs', 'pairs', ...FIGURES.filter((f) => f !== 'passesPerStep').map((f) => LABELS[f])];
    lines.push(`| ${dh.join(' | ')} |`, `| ${dh.map(() => '---').join(' | ')} |`);
    for (const t of compared) {
      const figs = FIGURES.filter((f) => f !== 'passesPerStep').map((f) => diff(t.vsBaseline?.[f], f));
      lines.push(`| ${t.treatment} | ${t.baseline} | ${t.vsBaseline?.finalTestAccuracy.n ?? 0} | ${figs.join(' | ')} |`);
    }
    lines.push('', 'The interval is mean ± t(0.975; n−1)·sd/√n over the per-seed differences; it excludes 0 when the difference is unlikely to be seed noise alone.', '');
  }
  if (report.missing.length) lines.push(`Not finished (left out): ${report.missing.join(', ')}.`, '');
  return `${lines.join('\n')}\n`;
}

/** Per treatment, the mean over its runs of a per-epoch curve (runs may differ in length: the common epochs). */
function meanCurve(rs: readonly CellResult[], pick: (e: CellResult['epochs'][number]) => number): [number, number][] {
  const n = Math.min(...rs.map((r) => r.epochs.length));
  return Array.from({ length: Number.isFinite(n) ? n : 0 }, (_, i) => [rs[0].epochs[i].epoch, mean(rs.map((r) => pick(r.epochs[i])))]);
}

function reportChart(report: StudyReport, title: string): LineChart {
  const groups = report.treatments.map((t) => ({ t, rs: report.cells.filter((c) => c.treatment === t.treatment) }));
  const series = (pick: (e: CellResult['epochs'][number]) => number, scale = 1): LineSeries[] =>
    groups.map(({ t, rs }) => ({ name: t.treatment, points: meanCurve(rs, pick).map(([x, y]) => [x, scale * y] as const) }));
  const curvature: LineSeries[] = groups
    .filter(({ rs }) => rs.some((r) => r.stepCurvature.length))
    .map(({ t, rs }) => ({ name: t.treatment, points: rs[0].stepCurvature, smoothing: 0.95, width: 1, markers: false }));
  return {
    title, xLabel: 'epoch', integerX: true,
    panels: [
      { title: 'training loss', yLabel: 'cross-entropy', series: series((e) => e.trainLoss) },
      { title: 'held-out accuracy per epoch', yLabel: 'accuracy (%)', series: series((e) => e.evalAccuracy, 100) },
      ...(curvature.length ? [{ title: 'curvature along e, per step (first seed)', yLabel: 'per step', series: curvature }] : []),
    ],
  };
}

/**
 * Writes report.md, report.json, curves.svg and curves.png into `dir` — and landscapes.svg/.png
 * when landscapes are given: side by side on one colour scale, as the paper's Fig. 4 — and
 * returns their paths.
 */
export function writeReport(dir: string, report: StudyReport, title: string, landscapes: readonly ContourPlot[] = []): string[] {
  const files = { md: path.join(dir, 'report.md'), json: path.join(dir, 'report.json'), svg: path.join(dir, 'curves.svg'), png: path.join(dir, 'curves.png') };
  const chart = reportChart(report, title);
  writeFileAtomic(files.md, reportMarkdown(report, title));
  writeFileAtomic(files.json, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  writeFileAtomic(files.svg, lineChartSvg(chart));
  writeFileAtomic(files.png, lineChartPng(chart));
  if (!landscapes.length) return Object.values(files);
  const grid = { svg: path.join(dir, 'landscapes.svg'), png: path.join(dir, 'landscapes.png') };
  const options = { title: `${title}: loss landscapes (one colour scale)` };
  writeFileAtomic(grid.svg, contourGridSvg(landscapes, options));
  writeFileAtomic(grid.png, contourGridPng(landscapes, options));
  return [...Object.values(files), grid.svg, grid.png];
}
