// How `crsam compare` runs a cell: `crsam train` (and `crsam analyze`) as child processes of the
// same Node and the same crsam, each run's output in a log file of the study. A child is an
// ordinary run, so everything a run guarantees (checkpoints, exact resume) holds cell by cell.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GridCell, StudyExecutor, geometryFile, landscapeFile } from '../study';
import { UsageError } from './args';

/** The crsam entry script this process runs from (bin/crsam.js of this installation). */
export function crsamScript(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'bin', 'crsam.js');
    if (fs.existsSync(bin) && fs.existsSync(path.join(dir, 'package.json'))) return bin;
    if (path.dirname(dir) === dir) throw new UsageError('cannot find bin/crsam.js of this crsam installation; reinstall crsam');
  }
}

/** `--name=value` each: the one form that also gives a boolean flag its value (`--nesterov=true`). */
function flagArgs(flags: Readonly<Record<string, string>>): string[] {
  return Object.entries(flags).map(([k, v]) => `--${k}=${v}`);
}

/** Runs one crsam command, its stdout and stderr appended to `log`; rejects with its last error line. */
function runCrsam(args: readonly string[], log: string): Promise<void> {
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.appendFileSync(log, `\n$ crsam ${args.join(' ')}\n`);
  const out = fs.openSync(log, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [crsamScript(), ...args], { stdio: ['ignore', out, out] });
    child.on('error', (e) => { fs.closeSync(out); reject(e); });
    child.on('close', (code, signal) => {
      fs.closeSync(out);
      if (code === 0) { resolve(); return; }
      const last = fs.readFileSync(log, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('crsam:')).pop();
      reject(new Error(`${last ? last.replace(/^crsam: /, '') : `crsam ${args[0]} ended with ${signal ?? `exit code ${code}`}`} (log: ${log})`));
    });
  });
}

export function processExecutor(studyDir: string): StudyExecutor {
  const log = (cell: GridCell, what: string) => path.join(studyDir, 'logs', `${cell.name}.${what}.log`);
  return {
    async train(cell, dir, state, threads) {
      if (state === 'partial') {
        await runCrsam(['train', '--resume', dir, '--threads', String(threads)], log(cell, 'train'));
        return;
      }
      // A folder without a checkpoint holds no training to keep (a run killed during its first
      // epoch): set it aside rather than deleting it, and start the cell again.
      if (fs.existsSync(dir)) fs.renameSync(dir, `${dir}.aborted-${Date.now()}`);
      await runCrsam(['train', ...flagArgs({ ...cell.flags, threads: String(threads) }), '--out', dir], log(cell, 'train'));
    },
    async analyze(cell, dir, samples, threads) {
      const data = Object.fromEntries(Object.entries(cell.flags).filter(([k]) => k === 'data' || k === 'data-dir'));
      await runCrsam(['analyze', dir, ...flagArgs(data), '--split', 'test', '--samples', String(samples), '--threads', String(threads), '--out', dir], log(cell, 'analyze'));
      if (!fs.existsSync(geometryFile(dir))) throw new Error(`crsam analyze did not write ${geometryFile(dir)}`);
    },
    async landscape(cell, dir, resolution, threads) {
      const data = Object.fromEntries(Object.entries(cell.flags).filter(([k]) => k === 'data' || k === 'data-dir'));
      await runCrsam(['landscape', dir, ...flagArgs(data), '--resolution', String(resolution), '--threads', String(threads), '--title', cell.name, '--out', path.dirname(landscapeFile(dir))], log(cell, 'landscape'));
    },
  };
}
