// Fuzz test of the loaders (seeded, bounded in count and time): mutated model files through
// loadModel + buildArtifacts in a worker thread, mutated IDX files through readIdx in-process.
// Every mutant is accepted or refused with a CrsamError of one sentence; none is an internal
// error, none hangs, and memory stays bounded.
//
// The memory bound: the largest base model is 1.1 MB and building its artifacts needs a few tens
// of MB; every mutant declares sizes of up to 2^53 elements, so one allocation from a declared
// size instead of the real bytes costs gigabytes. 400 MB of peak-RSS growth is far above the
// first and far below the second.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isUserError } from '../../src/core/errors';
import { readIdx } from '../../src/data/idx';
import { Rng } from '../../src/core/rng';
import { serializeModel } from '../../src/onnx/io';
import { tinyModel } from '../onnx/external-fixture';
import { repoRoot } from '../repo-root';
import { idxHeader, mutateIdx } from './mutate';
import { ModelFuzzJob, ModelFuzzReport } from './model-worker';

const SEED = 20261202;
const PEAK_RSS_GROWTH_MB = 400;

/** A folder with the files the external-data mutants point at: valid data, a FIFO, a subfolder, a link out. */
export function fuzzBaseDir(tmp: string): string {
  const dir = path.join(tmp, 'models');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(4096, 7));
  fs.writeFileSync(path.join(tmp, 'outside.bin'), Buffer.alloc(4096, 9));
  fs.symlinkSync(path.join(tmp, 'outside.bin'), path.join(dir, 'link-out'));
  if (process.platform !== 'win32') execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  return dir;
}

const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

describe('fuzz: model and data loaders', function () {
  this.timeout(120000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-fuzz-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('mutated model files: refused in one sentence or accepted, never an internal error, a hang or a memory blow-up', async () => {
    const root = repoRoot();
    const tiny = path.join(tmp, 'tiny.onnx');
    fs.writeFileSync(tiny, serializeModel(tinyModel()));
    const job: ModelFuzzJob = { bases: [tiny, path.join(root, 'models', 'lenet5.onnx'), path.join(root, 'models', 'mlp.onnx')], baseDir: fuzzBaseDir(tmp), seed: SEED, count: 400, budgetMs: 30000 };
    const rssBefore = maxRssMb();
    const reports = await runWorker(job, 60000);
    const internal = reports.filter((r) => r.outcome === 'internal');
    expect(internal.map((r) => `${r.what}\n${r.message}`).join('\n\n'), 'internal errors').to.equal('');
    for (const r of reports.filter((x) => x.outcome === 'refused')) {
      expect(r.message, r.what).to.not.include('\n');
      expect(r.message, r.what).to.not.match(/internal error/i);
    }
    const slow = reports.filter((r) => r.ms > 5000);
    expect(slow.map((r) => r.what), 'mutants that took over 5 s').to.deep.equal([]);
    expect(reports.length, 'mutants tried').to.be.at.least(100);
    expect(reports.filter((r) => r.outcome === 'refused').length, 'the mutations never produced a refusal').to.be.at.least(reports.length / 4);
    expect(maxRssMb() - rssBefore, 'peak RSS growth (MB)').to.be.below(PEAK_RSS_GROWTH_MB);
    expect(Math.max(...reports.map((r) => r.arrayBuffersMb)), 'array buffers after a mutant (MB)').to.be.below(PEAK_RSS_GROWTH_MB);
  });

  it('mutated IDX files: refused in one sentence or accepted, with bounded memory', () => {
    const rng = new Rng(SEED, 'idx-fuzz');
    const base = Buffer.concat([idxHeader([50, 28, 28]), Buffer.alloc(50 * 784, 3)]);
    const rssBefore = maxRssMb();
    const start = Date.now();
    let refused = 0;
    for (let i = 0; i < 120 && Date.now() - start < 20000; i++) {
      const m = mutateIdx(base, rng);
      const file = path.join(tmp, `m${i}${m.bytes[0] === 0x1f ? '.gz' : ''}`);
      fs.writeFileSync(file, m.bytes);
      try {
        readIdx(file);
      } catch (e) {
        expect(isUserError(e), `${m.what}: ${(e as Error).stack ?? String(e)}`).to.equal(true);
        expect((e as Error).message, m.what).to.not.include('\n');
        refused++;
      }
      fs.rmSync(file);
    }
    expect(refused).to.be.at.least(20);
    // Building the 100 MB bomb once costs ~100 MB here; inflating one would cost its full size again.
    expect(maxRssMb() - rssBefore, 'peak RSS growth (MB)').to.be.below(PEAK_RSS_GROWTH_MB);
  });
});

/** Runs the model fuzz worker; a hang past `limitMs` terminates it and fails naming the last mutant. */
function runWorker(job: ModelFuzzJob, limitMs: number): Promise<ModelFuzzReport[]> {
  return new Promise((resolve, reject) => {
    const reports: ModelFuzzReport[] = [];
    const worker = new Worker(path.join(__dirname, 'model-worker.js'), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the fuzz worker hung after mutant ${reports.length}: ${reports[reports.length - 1]?.what ?? 'none'} was the last to finish`));
    }, limitMs);
    worker.on('message', (m: ModelFuzzReport | { done: true }) => {
      if ('done' in m) { clearTimeout(timer); void worker.terminate(); resolve(reports); } else reports.push(m);
    });
    worker.on('error', (e) => { clearTimeout(timer); reject(new Error(`the fuzz worker died after ${reports.length} mutants (last: ${reports[reports.length - 1]?.what ?? 'none'}): ${e.message}`)); });
  });
}
