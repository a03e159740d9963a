// Faults injected into real `crsam train` processes: SIGKILL at random steps, at random moments
// and inside every phase of a checkpoint write, SIGTERM and SIGHUP, a full disk, two processes
// on one folder. After each, the folder resumes to exactly the parameters and optimizer state of
// an uninterrupted run (or is refused in one sentence), and no checkpoint saved earlier is lost.
// The kills at named points use the test-only CRSAM_FAULT hook (src/core/fault-hook.ts).
// Independent cases (each its own folder) run a few processes at a time: every process spends
// most of its second starting up and syncing files, so on a 2-core machine three at a time
// take about half the wall time of one at a time, with the same cases and the same checks.
import { expect } from 'chai';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRunCheckpoint, RunCheckpoint } from '../../src/train/checkpoint';
import { Rng } from '../../src/data';
import { repoRoot } from '../repo-root';

const root = repoRoot();
const bin = path.join(root, 'bin', 'crsam.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-fault-'));
// 256 images in steps of 32: 8 steps per epoch, 24 in all.
const RUN = ['--model', 'mlp', '--data', 'synthetic', '--epochs', '3', '--batch-size', '32', '--train-limit', '256', '--test-limit', '64',
  '--seed', '1', '--threads', '1', '--parallel', 'off'];
const STEPS = 24;
/** Processes at a time for independent cases: CRSAM_FAULT_JOBS, else 3. */
const JOBS = Math.max(1, Number(process.env.CRSAM_FAULT_JOBS) || 3);

/** Runs `cases` at most JOBS at a time; fails with the first failure after all have ended. */
async function inParallel<T>(cases: readonly T[], run: (c: T) => Promise<void>): Promise<void> {
  const queue = [...cases];
  const errors: unknown[] = [];
  const worker = async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      try { await run(c); } catch (e) { errors.push(e); }
    }
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, cases.length) }, worker));
  if (errors.length) throw errors[0];
}

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<Result>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const crsam = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

async function until(what: string, cond: () => boolean, ms = 60000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stopped = (pid: number) => { try { return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('T'); } catch { return false; } };

/** The crash-time error lines of crsam: none of them may be an internal error or a stack trace. */
function expectClean(r: Result): void {
  expect(r.stderr, r.stderr).to.not.match(/internal error|\n\s+at /);
}

/** Every checkpoint left in `dir` loads (checksums verified); returns the last one, if any. */
function checkpointsIntact(dir: string): RunCheckpoint | undefined {
  const best = path.join(dir, 'checkpoints', 'best.ckpt');
  if (fs.existsSync(best)) loadRunCheckpoint(best);
  const last = path.join(dir, 'checkpoints', 'last.ckpt');
  return fs.existsSync(last) ? loadRunCheckpoint(last) : undefined;
}

/** Resumes `dir` until it finishes (or starts it again when it died before its first checkpoint). */
async function finish(dir: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const r = fs.existsSync(path.join(dir, 'checkpoints', 'last.ckpt'))
      ? await crsam(['train', '--resume', dir])
      : await crsam(['train', ...RUN, '--out', dir, '--overwrite']);
    expectClean(r);
    if (r.code === 0) return;
  }
  throw new Error(`${dir} did not finish`);
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function expectSameRun(dir: string, ref: RunCheckpoint): void {
  const ck = loadRunCheckpoint(path.join(dir, 'checkpoints', 'last.ckpt'));
  expect(ck.trainer.stepCount).to.equal(ref.trainer.stepCount);
  for (const [name, v] of ref.trainer.params) expect(bytes(ck.trainer.params.get(name) as Float32Array).equals(bytes(v)), `${dir}: ${name}`).to.equal(true);
  const m = (c: RunCheckpoint) => (c.trainer.optimizer.kind === 'sgd' ? c.trainer.optimizer.momentumBuffer : null);
  expect(bytes(m(ck) as Float32Array).equals(bytes(m(ref) as Float32Array)), `${dir}: momentum`).to.equal(true);
  // Every step logged exactly once.
  const steps = fs.readFileSync(path.join(dir, 'steps.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
  expect(steps, dir).to.deep.equal(Array.from({ length: STEPS }, (_, i) => i));
}

describe('fault injection: crsam train survives kills, signals, a full disk and a second process', function () {
  this.timeout(600000);
  let ref: RunCheckpoint;

  before(async () => {
    const r = await crsam(['train', ...RUN, '--out', path.join(tmp, 'ref')]);
    expect(r.code, r.stderr).to.equal(0);
    ref = loadRunCheckpoint(path.join(tmp, 'ref', 'checkpoints', 'last.ckpt'));
  });

  it('SIGKILL inside every phase of a checkpoint write keeps the previous checkpoint and resumes bit-identically', async () => {
    const cases = ['last.ckpt', 'best.ckpt'].flatMap((file) => ['start', 'temp-created', 'half-written', 'written', 'synced', 'renamed'].map((phase) => ({ file, phase })));
    await inParallel(cases, async ({ file, phase }) => {
      const dir = path.join(tmp, `kill-${file}-${phase}`);
      const r = await crsam(['train', ...RUN, '--out', dir], { CRSAM_FAULT: `${file}@${phase}#${file === 'last.ckpt' ? 2 : 1}` });
      expect(r.signal, `${file}@${phase}: ${r.stderr}`).to.equal('SIGKILL');
      const ck = checkpointsIntact(dir);
      if (file === 'last.ckpt') {
        // The first epoch's checkpoint survives a kill anywhere in the second's write.
        expect(ck?.trainer.stepCount, phase).to.equal(phase === 'renamed' ? 16 : 8);
      }
      expect(fs.readdirSync(path.join(dir, 'checkpoints')).filter((f) => !f.endsWith('.ckpt')), 'only temp files besides').to.satisfy((l: string[]) => l.every((f) => /\.tmp-/.test(f)));
      await finish(dir);
      expect(fs.readdirSync(path.join(dir, 'checkpoints')).sort(), 'stale temp files are cleaned').to.deep.equal(['best.ckpt', 'last.ckpt']);
      expectSameRun(dir, ref);
    });
  });

  it('SIGKILL at random steps and at a random moment resumes bit-identically (a stale lock is taken over)', async () => {
    const rng = new Rng(20261202, 'fault-injection');
    const steps = [0, 1, 2].map(() => 1 + Math.floor(rng.nextFloat() * STEPS));
    const delay = 200 + Math.floor(rng.nextFloat() * 1500);
    const killAtStep = async (i: number) => {
      const step = steps[i];
      const dir = path.join(tmp, `kill-step-${i}`);
      const r = await crsam(['train', ...RUN, '--out', dir], { CRSAM_FAULT: `step@done#${step}` });
      expect(r.signal, r.stderr).to.equal('SIGKILL');
      expect(fs.existsSync(path.join(dir, '.lock')), 'the dead process left its lock').to.equal(true);
      checkpointsIntact(dir);
      await finish(dir);
      expectSameRun(dir, ref);
    };
    const killAtMoment = async () => {
      const dir = path.join(tmp, 'kill-timer');
      const p = start(['train', ...RUN, '--out', dir]);
      await until('the lock', () => fs.existsSync(path.join(dir, '.lock')));
      await new Promise((res) => setTimeout(res, delay));
      p.child.kill('SIGKILL');
      await p.done;
      checkpointsIntact(dir);
      await finish(dir);
      expectSameRun(dir, ref);
    };
    await inParallel([0, 1, 2, 3], (i) => (i < 3 ? killAtStep(i) : killAtMoment()));
  });

  it('SIGTERM and SIGHUP finish the step, save a checkpoint, exit non-zero saying how to resume, and the run resumes bit-identically', async () => {
    await inParallel(['term', 'hup'], (c) => (c === 'term' ? term() : hangUp()));
  });

  async function term(): Promise<void> {
    const dir = path.join(tmp, 'term');
    const r = await crsam(['train', ...RUN, '--out', dir], { CRSAM_FAULT: 'step@done#11:term' });
    expect(r.code, r.stderr).to.equal(143);
    expect(r.stdout).to.match(/interrupted by SIGTERM: checkpoint saved to .*; continue with: crsam train --resume /);
    expect(checkpointsIntact(dir)?.trainer.stepCount).to.be.within(11, 16); // the handler runs after the step it came in
    await finish(dir);
    expectSameRun(dir, ref);
  }

  async function hangUp(): Promise<void> {
    const hup = path.join(tmp, 'hup');
    const p = start(['train', ...RUN, '--out', hup], { CRSAM_FAULT: 'step@done#5:stop' });
    await until('the stop at step 5', () => stopped(p.child.pid as number));
    p.child.kill('SIGHUP');
    p.child.kill('SIGCONT');
    const h = await p.done;
    expect(h.code, h.stderr).to.equal(129);
    expect(checkpointsIntact(hup)?.trainer.stepCount).to.be.within(5, 8);
    await finish(hup);
    expectSameRun(hup, ref);
  }

  it('a full disk during a checkpoint write fails in one sentence, keeps the previous checkpoint, and the run resumes bit-identically', async () => {
    const mnt = path.join(tmp, 'small-disk');
    fs.mkdirSync(mnt);
    const { spawnSync } = await import('node:child_process');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { encoding: 'utf8' });
    const real = m.status === 0;
    if (!real) process.stdout.write(`\n      (no tmpfs could be mounted: ${(m.stderr || m.error?.message || '').trim() || 'not permitted'}; the full disk is simulated with CRSAM_FAULT=…:enospc)\n`);
    try {
      const dir = path.join(mnt, 'run');
      const p = start(['train', ...RUN, '--out', dir], { CRSAM_FAULT: real ? 'last.ckpt@start#2:stop' : 'last.ckpt@half-written#2:enospc' });
      const filler = path.join(mnt, 'filler');
      if (real) {
        await until('the stop before the second checkpoint', () => stopped(p.child.pid as number));
        const fd = fs.openSync(filler, 'w');
        try { for (;;) fs.writeSync(fd, Buffer.alloc(1 << 16)); } catch { /* full */ } finally { fs.closeSync(fd); }
        p.child.kill('SIGCONT');
      }
      const r = await p.done;
      expect(r.code, r.stderr).to.equal(1);
      const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('crsam: '));
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0]).to.match(/no space left on the device while writing .*last\.ckpt; the previous last\.ckpt is intact; free some space and continue with: crsam train --resume /);
      expectClean(r);
      expect(checkpointsIntact(dir)?.trainer.stepCount).to.equal(8);
      fs.rmSync(filler, { force: true });
      await finish(dir);
      expectSameRun(dir, ref);
    } finally {
      if (real) spawnSync('umount', [mnt]);
    }
  });

  it('a second process on a run folder is refused in one sentence while the first finishes the same run', async () => {
    const dir = path.join(tmp, 'two');
    const a = start(['train', ...RUN, '--out', dir], { CRSAM_FAULT: 'step@done#3:stop' });
    await until('the first process to pause', () => stopped(a.child.pid as number));
    const b = await crsam(['train', '--resume', dir]);
    const c = await crsam(['train', ...RUN, '--out', dir, '--overwrite']);
    for (const r of [b, c]) {
      expect(r.code).to.equal(1);
      expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.match(new RegExp(`^crsam: .*two is in use by crsam process ${a.child.pid} `));
    }
    a.child.kill('SIGCONT');
    const ra = await a.done;
    expect(ra.code, ra.stderr).to.equal(0);
    expectSameRun(dir, ref);
    expect(fs.existsSync(path.join(dir, '.lock')), 'the lock is released').to.equal(false);
    // Finished, the folder is still refused to a new run unless it is asked to overwrite it.
    const d = await crsam(['train', ...RUN, '--out', dir]);
    expect(d.stderr).to.match(/^crsam: .*two already holds a run \(.*\); continue it with --resume .*, or pass --overwrite to replace it\n$/);
    expectSameRun(dir, ref);
  });
});
