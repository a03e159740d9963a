// Metrics files of a run: every step and every epoch as JSON lines, epochs also as CSV.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface EpochRecord {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** Extra per-epoch figures (geometry tracking, curvature proxies...). */
  readonly extra?: Record<string, number>;
}

export class MetricsLog {
  private readonly jsonl: string;
  private readonly csv: string;

  constructor(dir: string, append: boolean) {
    this.jsonl = path.join(dir, 'metrics.jsonl');
    this.csv = path.join(dir, 'metrics.csv');
    if (!append) { fs.writeFileSync(this.jsonl, ''); fs.writeFileSync(this.csv, ''); }
  }

  step(row: Record<string, number | string | undefined>): void {
    fs.appendFileSync(this.jsonl, `${JSON.stringify({ type: 'step', ...row })}\n`);
  }

  epoch(rec: EpochRecord): void {
    fs.appendFileSync(this.jsonl, `${JSON.stringify({ type: 'epoch', ...rec })}\n`);
    const flat: Record<string, number> = { ...rec, ...(rec.extra ?? {}) } as unknown as Record<string, number>;
    delete (flat as Record<string, unknown>).extra;
    const keys = Object.keys(flat);
    if (fs.statSync(this.csv).size === 0) fs.appendFileSync(this.csv, `${keys.join(',')}\n`);
    fs.appendFileSync(this.csv, `${keys.map((k) => String(flat[k])).join(',')}\n`);
  }

  /** Drops rows past `epoch` (a resumed run replays from its checkpoint). */
  truncateAfter(epoch: number): void {
    const rows = fs.existsSync(this.jsonl) ? fs.readFileSync(this.jsonl, 'utf8').split('\n').filter(Boolean) : [];
    const keep = rows.filter((r) => (JSON.parse(r) as { epoch: number }).epoch < epoch || ((JSON.parse(r) as { type: string }).type === 'epoch' && (JSON.parse(r) as { epoch: number }).epoch <= epoch));
    fs.writeFileSync(this.jsonl, keep.map((r) => `${r}\n`).join(''));
    const csv = fs.existsSync(this.csv) ? fs.readFileSync(this.csv, 'utf8').split('\n').filter(Boolean) : [];
    if (csv.length) {
      const idx = csv[0].split(',').indexOf('epoch');
      fs.writeFileSync(this.csv, [csv[0], ...csv.slice(1).filter((l) => Number(l.split(',')[idx]) <= epoch)].map((l) => `${l}\n`).join(''));
    }
  }
}
