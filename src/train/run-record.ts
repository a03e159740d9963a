// The run record (run.json): what a run was, as experiment trackers keep it: the command line, the
// resolved config, the versions of crsam (and its git commit when run from a checkout), Node,
// ONNX Runtime and the OS, the CPU, threads and device, checksums of the data, start and end.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file';
import { Dataset } from '../data';

export interface RunEnvironment {
  readonly crsamVersion: string | null;
  /** HEAD of the checkout crsam runs from (null when installed from a package). */
  readonly gitCommit: string | null;
  /** True when the checkout has uncommitted changes. */
  readonly gitDirty: boolean | null;
  readonly node: string;
  readonly onnxruntimeNode: string | null;
  readonly os: string;
  readonly arch: string;
  readonly cpu: string;
  readonly cpuCount: number;
  readonly host: string;
}

/** How a run's steps were spread over sessions and devices (docs/pass-placement.md). */
export interface RunParallelism {
  /** Data-parallel replicas each batch was split across (1: none). */
  readonly replicas: number;
  /** `--devices` as given, or null. */
  readonly devices: readonly number[] | null;
  /** Whether passes or replicas ran side by side in worker sessions. */
  readonly concurrent: boolean;
  /** The placement's one-sentence reason. */
  readonly placement: string;
  /** Which code ran the step's parameter math (`Trainer.stepPath`; absent in older runs). */
  readonly stepPath?: 'js' | 'device';
}

export interface RunRecordInput {
  readonly commandLine?: readonly string[];
  readonly config: Record<string, unknown>;
  readonly threads: number | null;
  readonly device: string;
  /** Replicas and placement (absent: one replica, not recorded). */
  readonly parallelism?: RunParallelism;
  readonly dataset: string;
  readonly train: Dataset;
  readonly test: Dataset;
  /** SHA-256 of the data set's files as read, when the data layer reports them. */
  readonly dataFileSha256?: Record<string, string> | null;
}

const RECORD = 'run.json';

/** Writes `out/run.json` at the start of a run (status 'running'). */
export function writeRunRecord(out: string, r: RunRecordInput): void {
  writeFileAtomic(path.join(out, RECORD), `${JSON.stringify({
    status: 'running',
    start: new Date().toISOString(),
    end: null,
    commandLine: r.commandLine ?? null,
    cwd: process.cwd(),
    config: r.config,
    threads: r.threads,
    device: r.device,
    parallelism: r.parallelism ?? null,
    environment: runEnvironment(),
    data: {
      name: r.dataset,
      trainImages: r.train.length,
      testImages: r.test.length,
      // Of the images and labels trained and tested on (after any limit). The test set's is added
      // when the run finishes: the test set is not read before training ends (README, "Validation and test").
      contentSha256: { train: datasetSha256(r.train), test: null },
      // Of the files read from disk, when the data layer exposes them (null otherwise).
      fileSha256: r.dataFileSha256 ?? null,
    },
  }, null, 2)}\n`);
}

/**
 * Sets the status and end time of `out/run.json` (kept as it is when it is missing or unreadable),
 * and the test set's SHA-256 once the run has read it.
 */
export function finishRunRecord(out: string, status: 'finished' | 'interrupted' | 'stopped', extra: Record<string, unknown> = {}, test?: Dataset): void {
  const file = path.join(out, RECORD);
  let rec: Record<string, unknown>;
  try { rec = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>; } catch { return; }
  const data = rec.data as { contentSha256?: Record<string, unknown> } | undefined;
  if (test && data?.contentSha256) data.contentSha256.test = datasetSha256(test);
  writeFileAtomic(file, `${JSON.stringify({ ...rec, status, end: new Date().toISOString(), ...extra }, null, 2)}\n`);
}

let cached: RunEnvironment | undefined;

/** Versions and machine of this process. */
function runEnvironment(): RunEnvironment {
  if (cached) return cached;
  const root = packageRoot();
  const git = root && fs.existsSync(path.join(root, '.git')) ? gitState(root) : { commit: null, dirty: null };
  cached = {
    crsamVersion: root ? readVersion(path.join(root, 'package.json')) : null,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    node: process.version,
    onnxruntimeNode: ortVersion(),
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    host: os.hostname(),
  };
  return cached;
}

/** SHA-256 over a data set's dims, images and labels. */
function datasetSha256(ds: Dataset): string {
  const h = createHash('sha256');
  h.update(`${ds.length}x${ds.channels}x${ds.height}x${ds.width}\n`);
  h.update(ds.images);
  h.update(ds.labels);
  return h.digest('hex');
}

/** The folder of crsam's own package.json (from src/train or dist/src/train). */
function packageRoot(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && readName(pj) === 'crsam') return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

function readName(file: string): string | undefined {
  try { return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name; } catch { return undefined; }
}

function readVersion(file: string): string | null {
  try { return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? null; } catch { return null; }
}

function ortVersion(): string | null {
  try { return readVersion(require.resolve('onnxruntime-node/package.json')); } catch { return null; /* not resolvable */ }
}

function gitState(root: string): { commit: string | null; dirty: boolean | null } {
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: 5000 });
  const head = git(['rev-parse', 'HEAD']);
  if (head.status !== 0) return { commit: null, dirty: null };
  const st = git(['status', '--porcelain', '--untracked-files=no']);
  return { commit: head.stdout.trim(), dirty: st.status === 0 ? st.stdout.trim().length > 0 : null };
}
