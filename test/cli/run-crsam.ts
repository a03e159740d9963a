// Runs the crsam command as a user would (a child process of this Node), and the check every
// bad-input test makes: a non-zero exit and exactly one sentence on stderr, no stack trace.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../repo-root';

export interface CrsamRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly signal: string | null;
}

export const CRSAM_BIN = path.join(repoRoot(), 'bin', 'crsam.js');

/** `crsam <args>` in `cwd` (default: the repository root), killed after `timeout` ms (default 120 s). */
export function runCrsam(args: readonly string[], options: { readonly cwd?: string; readonly timeout?: number } = {}): CrsamRun {
  const r = spawnSync(process.execPath, [CRSAM_BIN, ...args], { encoding: 'utf8', cwd: options.cwd ?? repoRoot(), timeout: options.timeout ?? 120000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

export function expectOneSentence(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).to.not.equal(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^crsam: /);
  expect(lines[0]).to.not.match(/internal error/);
  expect(lines[0]).to.match(pattern);
  expect(r.stderr).to.not.match(/\n\s+at /); // no stack trace
}
