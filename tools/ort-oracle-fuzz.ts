// Lists the classes of model that ONNX Runtime refuses and crsam accepts (or fails on with an
// internal error): seeded attribute and element-type mutants of the zoo and fixture models,
// ONNX Runtime as the oracle (test/fuzz/ort-oracle.ts). The regression test runs a fixed seed;
// this tool runs as many as asked.
//   node dist/tools/ort-oracle-fuzz.js [--count 2000] [--seed 1] [--verbose]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Mismatch, oracleMismatches } from '../test/fuzz/ort-oracle';
import { ORACLE_BASES } from '../test/fuzz/oracle-bases';
import { repoRoot } from '../test/repo-root';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, def: number): number => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
  const count = flag('--count', 2000);
  const seed = flag('--seed', 1);
  const root = repoRoot();
  const bases = ORACLE_BASES.map((f) => ({ name: f, bytes: fs.readFileSync(path.join(root, f)) }));
  let tried = 0;
  const t0 = Date.now();
  const found = await oracleMismatches(bases, seed, count, () => { tried++; });
  const classes = new Map<string, Mismatch[]>();
  for (const m of found) classes.set(m.mutant.cls, [...(classes.get(m.mutant.cls) ?? []), m]);
  console.log(`${tried} mutants of ${bases.length} models (seed ${seed}) in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${found.length} mismatches in ${classes.size} classes`);
  for (const [cls, ms] of [...classes].sort((a, b) => b[1].length - a[1].length)) {
    const m = ms[0];
    const why = m.crsam.outcome === 'internal' ? `crsam internal error: ${m.crsam.message.split('\n')[0]}` : m.ort.refused ? `ORT: ${m.ort.message}` : 'ORT runs it; crsam cannot train it';
    console.log(`${String(ms.length).padStart(4)}  ${cls}\n        e.g. ${m.mutant.what}\n        ${why}`);
    if (args.includes('--verbose')) for (const x of ms.slice(1)) console.log(`        also ${x.mutant.what}`);
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
