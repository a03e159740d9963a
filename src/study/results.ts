// What one finished run of a study contributes to the report, read from the files every run
// folder holds (summary.json, metrics.jsonl) and from its geometry file. This is the one place
// that knows those files' fields, so the report does not depend on how a run was started.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GridCell, SEED_FLAG, treatmentOf } from './grid';
import { ContourPlot } from '../plot';
import { Landscape, landscapeContour } from '../geometry';
import { geometryFile, landscapeFile } from './study-folder';
import { TRAIN_OPTIONS } from '../train/train-options';

export interface EpochPoint {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Validation accuracy after the epoch (NaN when the run held out no validation split). */
  readonly evalAccuracy: number;
}

export interface CellResult {
  readonly cell: string;
  readonly treatment: string;
  readonly seed: string;
  readonly optimizer: string;
  /** Test accuracy (fraction) of the final model. */
  readonly finalTestAccuracy: number;
  /** Test accuracy (fraction) of the model chosen on validation; NaN when the run had no validation split. */
  readonly bestValTestAccuracy: number;
  /** Table 3 figures on the test set (NaN when not computed). */
  readonly gradNorm: number;
  readonly trace: number;
  /** Standard error of the trace estimate, when the estimator reports one. */
  readonly traceStdError: number;
  readonly normalizedTrace: number;
  readonly lambdaMax: number;
  /** Training wall time, seconds (sum over epochs, so resumes do not count the pause). */
  readonly wallSeconds: number;
  /** Forward+backward passes per step: 1 (SGD), 2 (SAM, ASAM), 3 (CR-SAM). */
  readonly passesPerStep: number;
  readonly epochs: readonly EpochPoint[];
  /** Per-step directional curvature (L+ + L− − 2L0)/ρ², for methods that evaluate it: [epoch (fractional), value]. */
  readonly stepCurvature: readonly (readonly [number, number])[];
}

const PASSES: Record<string, number> = { sgd: 1, sam: 2, asam: 2, crsam: 3 };

type Json = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
}

function obj(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function readJson(file: string): Json {
  try {
    return obj(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return {};
  }
}

/** Reads one finished cell; figures the files do not hold come back as NaN. */
export function readCellResult(cell: GridCell, dir: string): CellResult {
  const summary = readJson(path.join(dir, 'summary.json'));
  const epochsRaw = Array.isArray(summary.epochs) ? summary.epochs.map(obj) : [];
  const epochs: EpochPoint[] = epochsRaw.map((e) => ({
    epoch: num(e.epoch),
    trainLoss: num(e.trainLoss),
    trainAccuracy: num(e.trainAccuracy),
    evalAccuracy: num(e.valAccuracy),
  }));
  // summary.test: the test set, read once after the last epoch (RunSummary in src/train/run.ts).
  const test = obj(summary.test);
  const finalTest = num(obj(test.final).accuracy);
  const bestVal = num(obj(test.best).accuracy);

  const geometry = readJson(geometryFile(dir));
  const report = obj(Array.isArray(geometry.reports) ? geometry.reports[0] : undefined);
  // Fields of the geometry report `crsam analyze` writes (GeometryReport in src/geometry/analyze.ts).
  const trace = num(report.trace);
  const traceSE = num(report.traceStandardError);
  const lambda = num(report.lambdaMax);

  const optimizer = cell.flags.optimizer ?? TRAIN_OPTIONS.optimizer.default;
  return {
    cell: cell.name,
    treatment: treatmentOf(cell),
    seed: cell.axes[SEED_FLAG] ?? cell.flags[SEED_FLAG] ?? '0',
    optimizer,
    finalTestAccuracy: finalTest,
    bestValTestAccuracy: bestVal,
    gradNorm: num(report.gradNorm),
    trace,
    traceStdError: traceSE,
    normalizedTrace: num(report.normalizedTrace),
    lambdaMax: lambda,
    wallSeconds: epochsRaw.reduce((s, e) => s + (Number.isFinite(num(e.seconds)) ? num(e.seconds) : 0), 0),
    passesPerStep: PASSES[optimizer] ?? NaN,
    epochs,
    stepCurvature: readStepCurvature(dir),
  };
}

function readStepCurvature(dir: string): [number, number][] {
  const file = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return [];
  const steps: { step: number; curvature: number }[] = [];
  const epochEnds: number[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    let row: Json;
    try { row = obj(JSON.parse(line)); } catch { continue; }
    if (row.type === 'epoch') epochEnds.push(num(row.step));
    else if (row.type === 'step' && Number.isFinite(num(row.curvature))) steps.push({ step: num(row.step), curvature: num(row.curvature) });
  }
  // Steps per epoch from the first epoch's end, to put steps on the epoch axis of the other curves.
  const perEpoch = epochEnds.length && epochEnds[0] > 0 ? epochEnds[0] : Math.max(1, steps.length);
  return steps.map((s) => [s.step / perEpoch, s.curvature]);
}

/** The cell's 2-D landscape as a contour plot titled with its treatment, if the run has one. */
export function readLandscape(cell: GridCell, dir: string): ContourPlot | undefined {
  const l = readJson(landscapeFile(dir)) as Partial<Landscape>;
  if (l.dimensions !== 2 || !Array.isArray(l.x) || !Array.isArray(l.y) || !Array.isArray(l.loss)) return undefined;
  return landscapeContour(l as Landscape, treatmentOf(cell));
}
