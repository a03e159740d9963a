// The TypeScript half of the sweep: for every model folder tools/torchvision_sweep.py wrote, build
// our training graphs, run them once and compare with PyTorch (float64 truth, float32's own error).
//   nice -n 10 node dist/tools/torchvision-sweep.js [.cache/sweep] [--json out.json] [--only name,name]
// Prints a markdown table (the README's "Bringing a model from PyTorch" table) and, with --json, the rows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSweepModel, SweepResult } from '../test/sweep-check';
import { loadSweepFixture } from '../test/sweep-fixture';

interface ExportRecord { model: string; opset: number; status: string; reason?: string; input?: number[] }

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

const fmt = (v: number): string => (Number.isFinite(v) ? v.toExponential(1) : '–');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = args.find((a, i) => !a.startsWith('--') && !['--json', '--only'].includes(args[i - 1] ?? '')) ?? '.cache/sweep';
  const jsonAt = args.indexOf('--json');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(',')) : undefined;
  const log = exportLog(root);
  const rows: (SweepResult & { input: string })[] = [];
  for (const [key, rec] of [...log].sort(([a], [b]) => a.localeCompare(b))) {
    if (only && !only.has(rec.model)) continue;
    const input = rec.input ? rec.input.join('×') : '';
    if (rec.status !== 'exported') {
      rows.push({ model: rec.model, opset: rec.opset, status: 'error', note: `${rec.status}: ${rec.reason ?? ''}`, buildSeconds: NaN, gradErr: NaN, lossErr: NaN, torch32GradErr: NaN, kinkNear: 0, kinkCrossed32: 0, input });
      continue;
    }
    const r = await checkSweepModel(loadSweepFixture(path.join(root, key)));
    rows.push({ ...r, input });
    process.stderr.write(`${r.model} op${r.opset}: ${r.status} ${fmt(r.gradErr)} ${r.note}\n`);
  }
  const lines = [
    '| model | opset | input | result | our grad error | PyTorch f32 error | kinks near / crossed (f32) | build s | note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.model} | ${r.opset} | ${r.input} | ${r.status} | ${fmt(r.gradErr)} | ${fmt(r.torch32GradErr)} | ${r.kinkNear} / ${r.kinkCrossed32} | ${Number.isFinite(r.buildSeconds) ? r.buildSeconds.toFixed(1) : '–'} | ${r.note.replace(/\|/g, '/')} |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (jsonAt >= 0) fs.writeFileSync(args[jsonAt + 1], JSON.stringify(rows, null, 1));
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
