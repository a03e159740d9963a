// A handful of fuzz mutants through the real command line (the in-process fuzz test runs hundreds):
// each ends in a non-zero exit and one sentence, never an internal error, a hang or a stack trace.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/core/rng';
import { idxHeader, mutateIdx, mutateModel } from '../fuzz/mutate';
import { repoRoot } from '../repo-root';

const root = repoRoot();
const bin = path.join(root, 'bin', 'crsam.js');

function crsam(args: string[]): { code: number; stderr: string; signal: string | null } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, timeout: 60000 });
  return { code: r.status ?? -1, stderr: r.stderr, signal: r.signal };
}

function expectRefused(r: { code: number; stderr: string; signal: string | null }, what: string): void {
  expect(r.signal, `${what}: killed by the timeout (a hang)`).to.equal(null);
  expect([1, 2], `${what}: exit ${r.code}: ${r.stderr}`).to.include(r.code);
  const lines = r.stderr.trim().split('\n');
  expect(lines, `${what}: ${r.stderr}`).to.have.length(1);
  expect(lines[0], what).to.match(/^crsam: /);
  expect(lines[0], what).to.not.match(/internal error/);
}

describe('crsam command line: fuzzed and special input files', function () {
  this.timeout(300000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-clifuzz-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('crsam artifacts refuses mutated models (only the mutants the loader refuses are run)', () => {
    const base = fs.readFileSync(path.join(root, 'models', 'lenet5.onnx'));
    const rng = new Rng(7, 'cli-fuzz');
    let run = 0;
    for (let i = 0; i < 200 && run < 6; i++) {
      const m = mutateModel(base, rng);
      if (m.what.startsWith('byte flips')) continue; // mostly flips weight bytes: a valid model
      const f = path.join(tmp, `mutant${i}.onnx`);
      fs.writeFileSync(f, m.bytes);
      const r = crsam(['artifacts', f, '-o', path.join(tmp, `out${i}`)]);
      if (r.code === 0) continue; // some protobuf edits leave a valid model
      expectRefused(r, m.what);
      run++;
    }
    expect(run).to.equal(6);
  });

  it('/dev/zero and a FIFO as a model, and as a label file, are refused at once', function () {
    if (process.platform === 'win32') this.skip();
    const fifo = path.join(tmp, 'fifo.onnx');
    execFileSync('mkfifo', [fifo]);
    expectRefused(crsam(['artifacts', '/dev/zero', '-o', path.join(tmp, 'z')]), '/dev/zero as a model');
    expectRefused(crsam(['eval', fifo, '--data', 'synthetic']), 'a FIFO as a model');
    const data = path.join(tmp, 'mnist-dev-zero');
    writeMnist(data);
    fs.rmSync(path.join(data, 'train-labels-idx1-ubyte'));
    fs.symlinkSync('/dev/zero', path.join(data, 'train-labels-idx1-ubyte'));
    expectRefused(crsam(['eval', path.join(root, 'models', 'mlp.onnx'), '--data', 'mnist', '--data-dir', data]), '/dev/zero as a label file');
    expectRefused(crsam(['train', '--config', '/dev/zero']), '/dev/zero as a config file');
  });

  it('an output folder that cannot be made (/proc/x, below a file) is refused at once, not retried forever', function () {
    if (process.platform !== 'linux') this.skip();
    for (const out of ['/proc/crsam-x', '/dev/null/x']) {
      expectRefused(crsam(['train', '--data', 'synthetic', '--model', 'mlp', '--epochs', '1', '--out', out]), `--out ${out}`);
      expectRefused(crsam(['artifacts', path.join(root, 'models', 'mlp.onnx'), '-o', path.join(out, 'a')]), `-o ${out}/a`);
    }
  });

  it('mutated IDX files (a gzip bomb, cut gzip, huge counts, wrong magic) are refused by crsam eval', () => {
    const rng = new Rng(11, 'cli-idx-fuzz');
    const base = Buffer.concat([idxHeader([4]), Buffer.from([1, 2, 3, 4])]);
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 4; i++) {
      const m = mutateIdx(base, rng);
      const kind = m.what.split(' ')[0];
      if (seen.has(kind)) continue;
      const data = path.join(tmp, `mnist${i}`);
      writeMnist(data);
      const gz = m.bytes[0] === 0x1f;
      fs.rmSync(path.join(data, 'train-labels-idx1-ubyte'));
      fs.writeFileSync(path.join(data, `train-labels-idx1-ubyte${gz ? '.gz' : ''}`), m.bytes);
      const r = crsam(['eval', path.join(root, 'models', 'mlp.onnx'), '--data', 'mnist', '--data-dir', data]);
      if (r.code === 0) continue;
      expectRefused(r, m.what);
      seen.add(kind);
    }
    expect(seen.size).to.equal(4);
  });
});

/** A 4-image MNIST-layout folder. */
function writeMnist(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const split of ['train', 't10k']) {
    fs.writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), Buffer.concat([idxHeader([4, 28, 28]), Buffer.alloc(4 * 784, 100)]));
    fs.writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), Buffer.concat([idxHeader([4]), Buffer.from([1, 2, 3, 4])]));
  }
}
