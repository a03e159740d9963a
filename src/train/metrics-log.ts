// Metrics files of a run: every step and every epoch as JSON lines (metrics.jsonl), and as CSV
// (steps.csv, metrics.csv for epochs).
import * as fs from 'node:fs';
import { writeFileAtomic } from '../core/atomic-file';
import * as path from 'node:path';

export interface EpochRecord {
  /** Epoch number, from 1, as on screen. */
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Loss and accuracy on the validation split (NaN with --val-split 0); the test set is reported only at the end. */
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** Extra per-epoch figures (geometry tracking, curvature proxies...). */
  readonly extra?: Record<string, number>;
}

/** Columns of steps.csv (empty where a method has no such figure, e.g. lossMinus for SAM). */
const STEP_COLUMNS = ['epoch', 'step', 'lr', 'loss', 'lossPlus', 'lossMinus', 'gradNorm', 'curvature', 'slope', 'accuracy'];

export class MetricsLog {
  private readonly jsonl: string;
  private readonly csv: string;
  private readonly stepsCsv: string;

  constructor(dir: string, append: boolean) {
    this.jsonl = path.join(dir, 'metrics.jsonl');
    this.csv = path.join(dir, 'metrics.csv');
    this.stepsCsv = path.join(dir, 'steps.csv');
    if (!append) for (const f of [this.jsonl, this.csv, this.stepsCsv]) fs.writeFileSync(f, '');
  }

  step(row: Record<string, number | undefined>): void {
    fs.appendFileSync(this.jsonl, `${JSON.stringify({ type: 'step', ...row })}\n`);
    if (!fs.existsSync(this.stepsCsv) || fs.statSync(this.stepsCsv).size === 0) fs.writeFileSync(this.stepsCsv, `${STEP_COLUMNS.join(',')}\n`);
    fs.appendFileSync(this.stepsCsv, `${STEP_COLUMNS.map((k) => (row[k] === undefined ? '' : String(row[k]))).join(',')}\n`);
  }

  epoch(rec: EpochRecord): void {
    fs.appendFileSync(this.jsonl, `${JSON.stringify({ type: 'epoch', ...rec })}\n`);
    const flat: Record<string, number> = { ...rec, ...(rec.extra ?? {}) } as unknown as Record<string, number>;
    delete (flat as Record<string, unknown>).extra;
    const keys = Object.keys(flat);
    if (!fs.existsSync(this.csv) || fs.statSync(this.csv).size === 0) fs.appendFileSync(this.csv, `${keys.join(',')}\n`);
    fs.appendFileSync(this.csv, `${keys.map((k) => String(flat[k])).join(',')}\n`);
  }

  /**
   * Drops what a crashed run logged after its last checkpoint, so a resumed run does not log it
   * twice: step rows from step `stepCount` on and epoch rows after epoch `epochsDone` (epochs count from 1).
   */
  truncateTo(stepCount: number, epochsDone: number): void {
    const keep = (row: { type?: string; step?: number; epoch?: number }) => (row.type === 'epoch' ? (row.epoch ?? 0) <= epochsDone : (row.step ?? 0) < stepCount);
    const rows = fs.existsSync(this.jsonl) ? fs.readFileSync(this.jsonl, 'utf8').split('\n').filter(Boolean) : [];
    // A line torn by a kill mid-append does not parse: it is dropped with the rest past the checkpoint.
    writeFileAtomic(this.jsonl, rows.filter((r) => { const row = parseRow(r); return !!row && keep(row); }).map((r) => `${r}\n`).join(''));
    filterCsv(this.stepsCsv, (cols, header) => Number(cols[header.indexOf('step')]) < stepCount);
    filterCsv(this.csv, (cols, header) => Number(cols[header.indexOf('epoch')]) <= epochsDone);
  }
}

function filterCsv(file: string, keep: (cols: string[], header: string[]) => boolean): void {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  if (!lines.length) return;
  const header = lines[0].split(',');
  const complete = (l: string) => l.split(',').length === header.length;
  writeFileAtomic(file, [lines[0], ...lines.slice(1).filter((l) => complete(l) && keep(l.split(','), header))].map((l) => `${l}\n`).join(''));
}

function parseRow(line: string): { type?: string; step?: number; epoch?: number } | undefined {
  try { return JSON.parse(line) as { type?: string }; } catch { return undefined; }
}
