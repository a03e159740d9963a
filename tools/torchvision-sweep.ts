// The TypeScript half of the sweep: for every model folder tools/torchvision_sweep.py wrote, build
// our training graphs, run them once and compare with PyTorch (float64 truth, float32's own error).
//   nice -n 10 node dist/tools/torchvision-sweep.js [.cache/sweep] [--only name,name] [--resume] [--table]
// Smallest models first; each row is appended to <root>/results.jsonl as soon as it is known
// (--resume skips models already there, --table only prints). Prints a markdown table (the
// README's "Bringing a model from PyTorch" table).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSweepModel, SweepResult } from '../test/sweep-check';
import { loadSweepFixture } from '../test/sweep-fixture';

interface ExportRecord { model: string; opset: number; status: string; reason?: string; input?: number[]; params?: number }
type Row = SweepResult & { input: string };

function exportLog(root: string): Map<string, ExportRecord> {
  const out = new Map<string, ExportRecord>();
  const file = path.join(root, 'export-log.jsonl');
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as ExportRecord;
    out.set(`${r.model}_op${r.opset}`, r); // the last record of a model wins
  }
  return out;
}

/** Above this, PyTorch's own float32 gradient is far from float64 and agreeing within 10× of it proves little. */
const WEAK = 1e-3;

function noteOf(r: Row): string {
  const weak = r.status === 'pass' && r.torch32GradErr > WEAK ? 'weak: PyTorch f32 itself > 1e-3 off' : '';
  return [r.note, weak].filter(Boolean).join('; ');
}

/** A row that only recorded an earlier skip or failed export, for a model whose export record changed since (e.g. a larger --max-params). */
function staleSkip(row: Row, rec: ExportRecord): boolean {
  return !Number.isFinite(row.buildSeconds) && /^(skipped|export-failed)/.test(row.note) && !row.note.startsWith(`${rec.status}:`);
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toExponential(1) : '–');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only') ?? '.cache/sweep';
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(',')) : undefined;
  const resultsFile = path.join(root, 'results.jsonl');
  const done = new Map<string, Row>();
  if ((args.includes('--resume') || args.includes('--table')) && fs.existsSync(resultsFile)) {
    for (const line of fs.readFileSync(resultsFile, 'utf8').split('\n')) if (line.trim()) { const r = JSON.parse(line) as Row; done.set(`${r.model}_op${r.opset}`, r); }
  }
  const log = [...exportLog(root)].sort(([, a], [, b]) => (a.params ?? Infinity) - (b.params ?? Infinity));
  if (!args.includes('--table')) {
    for (const [key, rec] of log) {
      if ((only && !only.has(rec.model)) || (done.has(key) && !staleSkip(done.get(key) as Row, rec))) continue;
      const input = rec.input ? rec.input.join('×') : '';
      let row: Row;
      if (rec.status !== 'exported') {
        row = { model: rec.model, opset: rec.opset, status: 'error', note: `${rec.status}: ${rec.reason ?? ''}`, buildSeconds: NaN, gradErr: NaN, lossErr: NaN, torch32GradErr: NaN, kinkNear: 0, kinkCrossed32: 0, input };
      } else {
        row = { ...(await checkSweepModel(loadSweepFixture(path.join(root, key)))), input };
        process.stderr.write(`${row.model} op${row.opset}: ${row.status} ${fmt(row.gradErr)} ${row.note}\n`);
      }
      done.set(key, row);
      fs.appendFileSync(resultsFile, JSON.stringify(row) + '\n');
    }
  }
  // Models exported (or refused by PyTorch, or skipped for size) that no run reached yet still get a line.
  for (const [key, rec] of log) {
    if (done.has(key)) continue;
    const note = rec.status === 'exported' ? 'not run yet: time' : `${rec.status}: ${rec.reason ?? ''}`;
    done.set(key, { model: rec.model, opset: rec.opset, status: 'error', note, buildSeconds: NaN, gradErr: NaN, lossErr: NaN, torch32GradErr: NaN, kinkNear: 0, kinkCrossed32: 0, input: rec.input ? rec.input.join('×') : '' });
  }
  const rows = [...done.values()].filter((r) => !only || only.has(r.model)).sort((a, b) => a.model.localeCompare(b.model) || a.opset - b.opset);
  // One line per model: its opsets, with the result of each where they differ.
  const byModel = new Map<string, Row[]>();
  for (const r of rows) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
  const lines = [
    '| model | input | opsets | result | our grad error | PyTorch f32 error | kinks near / crossed (f32) | build s | note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...[...byModel.values()].map((rs) => {
      const r = rs[rs.length - 1];
      const shown = (x: Row): string => (x.note.startsWith('skipped:') ? 'not run (size)' : x.note.startsWith('export-failed') ? 'export failed (PyTorch)' : x.note.startsWith('not run yet') ? 'not run (time)' : x.status);
      const result = rs.every((x) => shown(x) === shown(r)) ? shown(r) : rs.map((x) => `${shown(x)} (${x.opset})`).join(', ');
      const notes = [...new Set(rs.map(noteOf).filter(Boolean))].join('; ');
      return `| ${r.model} | ${r.input} | ${rs.map((x) => x.opset).join(', ')} | ${result} | ${fmt(r.gradErr)} | ${fmt(r.torch32GradErr)} | ${r.kinkNear} / ${r.kinkCrossed32} | ${Number.isFinite(r.buildSeconds) ? r.buildSeconds.toFixed(1) : '–'} | ${notes.replace(/\|/g, '/')} |`;
    }),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
