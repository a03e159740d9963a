// Checkpoints are verified on load: flipped bits, missing or extra tensors and damaged settings
// are refused in one sentence; checkpoints from before the checksums (format 1) still load.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/data';
import { decodeTensorFile, encodeTensorFile, readTensorFile, TensorFile } from '../../src/onnx/tensor-file';
import { loadRunCheckpoint, RunCheckpoint, saveRunCheckpoint } from '../../src/train/checkpoint';
import { checkCheckpointFits, ExpectedState } from '../../src/train/checkpoint-check';
import { runTraining } from '../../src/train/run';
import { restoreModel } from '../../src/train/restore';
import { repoRoot } from '../repo-root';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-ckpt-'));
const fixture = path.join(repoRoot(), 'test', 'fixtures', 'train', 'format1-run');

function state(): RunCheckpoint {
  const w = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: 7 }, (_, i) => i / 7);
  return {
    trainer: { params: new Map([['w', w], ['b', b]]), buffers: new Map([['bn.mean', new Float32Array(3).fill(0.5)]]), optimizer: { kind: 'sgd', step: 4, momentumBuffer: new Float32Array(307).fill(0.25) }, stepCount: 4 },
    epoch: 1, meta: { config: { lr: 0.05 } },
  };
}
const want: ExpectedState = { params: new Map([['w', 300], ['b', 7]]), buffers: new Map([['bn.mean', 3]]), base: 'sgd', momentum: 0.9, size: 307 };

function message(f: () => unknown): string {
  try { f(); } catch (e) { return (e as Error).message; }
  return '(accepted)';
}

describe('checkpoint integrity', () => {
  const file = path.join(tmp, 'a.ckpt');
  before(() => saveRunCheckpoint(file, state()));

  it('refuses 20 of 20 random bit flips in the tensor data, naming the tensor', () => {
    const good = fs.readFileSync(file);
    const hlen = good.readUInt32LE(8);
    const dataStart = Math.ceil((12 + hlen) / 64) * 64;
    const rng = new Rng(7, 'flips');
    for (let i = 0; i < 20; i++) {
      const bad = Buffer.from(good);
      const at = dataStart + Math.floor(rng.nextFloat() * (bad.length - dataStart));
      bad[at] ^= 1 << Math.floor(rng.nextFloat() * 8);
      // A flip in alignment padding changes no tensor; every flip here must land in one.
      const m = message(() => decodeTensorFile(bad, 'a.ckpt'));
      expect(m, `flip at ${at}`).to.match(/^a\.ckpt is damaged: tensor '(w|b|bn\.mean|momentum)' does not match its checksum; use another checkpoint/);
    }
  });

  it('refuses a flipped bit in the settings (step counters, loader state)', () => {
    const bad = Buffer.from(fs.readFileSync(file));
    const text = bad.toString('latin1');
    const at = text.indexOf('"stepCount":4') + '"stepCount":'.length;
    bad[at] = '5'.charCodeAt(0);
    expect(message(() => decodeTensorFile(bad, 'a.ckpt'))).to.match(/a\.ckpt is damaged: the checksum of its settings does not match/);
  });

  it('refuses a checkpoint missing a parameter or its momentum, or holding a tensor the model lacks, in one sentence', () => {
    const s = state();
    const noParam: RunCheckpoint = { ...s, trainer: { ...s.trainer, params: new Map([['w', s.trainer.params.get('w') as Float32Array]]) } };
    expect(message(() => checkCheckpointFits('x.ckpt', noParam, want))).to.equal("x.ckpt does not fit this run: it lacks parameter 'b'; it is damaged or belongs to another model");
    const noMomentum: RunCheckpoint = { ...s, trainer: { ...s.trainer, optimizer: { kind: 'sgd', step: 4, momentumBuffer: null } } };
    expect(message(() => checkCheckpointFits('x.ckpt', noMomentum, want))).to.equal("x.ckpt does not fit this run: it lacks optimizer state 'momentum'; it is damaged or belongs to another model");
    const extra: RunCheckpoint = { ...s, trainer: { ...s.trainer, params: new Map([...s.trainer.params, ['fc.weight', new Float32Array(2)]]) } };
    expect(message(() => checkCheckpointFits('x.ckpt', extra, want))).to.match(/holds parameter 'fc\.weight', which this model does not have/);
    const adam = { ...want, base: 'adamw' as const };
    expect(message(() => checkCheckpointFits('x.ckpt', s, adam))).to.match(/holds sgd optimizer state but this run uses adamw/);
    expect(message(() => checkCheckpointFits('x.ckpt', s, want))).to.equal('(accepted)');
  });

  it('refuses damaged run settings and newer formats in one sentence', () => {
    const f: TensorFile = readTensorFile(file);
    const bad = path.join(tmp, 'bad.ckpt');
    fs.writeFileSync(bad, encodeTensorFile({ ...f, meta: { ...f.meta, optimizer: { kind: 'lion', step: 1 } } }));
    expect(message(() => loadRunCheckpoint(bad))).to.match(/has damaged run settings/);
    const future = Buffer.from(fs.readFileSync(file));
    const at = future.toString('latin1').indexOf('"format":2') + '"format":'.length;
    future[at] = '9'.charCodeAt(0);
    expect(message(() => decodeTensorFile(future, 'f.ckpt'))).to.match(/^f\.ckpt has format 9; this crsam reads formats 1 and 2/);
  });

  it('loads a format-1 checkpoint written before the checksums, restores it and resumes its run', async function () {
    this.timeout(120000);
    const old = readTensorFile(path.join(fixture, 'checkpoints', 'last.ckpt'));
    expect(old.format).to.equal(1);
    expect(restoreModel(fixture).source).to.match(/last\.ckpt$/);
    const dir = path.join(tmp, 'old-run');
    fs.cpSync(fixture, dir, { recursive: true });
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'run-config.json'), 'utf8')) as Record<string, unknown>;
    const s = await runTraining({
      model: path.join(dir, 'forward_model.onnx'), modelName: 'mlp', dataset: 'synthetic', trainLimit: 64, testLimit: 32,
      trainer: { optimizer: 'crsam', threads: 1 }, lr: 0.05, lrSchedule: 'cosine', epochs: 2, batchSize: 32, seed: 0, out: dir, resume: true, config: { ...cfg, epochs: 2 },
    });
    // Its old epoch record (counted from 0 then) is renumbered: epochs count from 1.
    expect(s.epochs.map((e) => e.epoch)).to.deep.equal([1, 2]);
    // What it writes now is format 2, verified.
    expect(readTensorFile(path.join(dir, 'checkpoints', 'last.ckpt')).format).to.equal(2);
    const resumes = fs.readFileSync(path.join(dir, 'resumes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { changed: Record<string, unknown>; fromStep: number });
    expect(resumes).to.have.length(1);
    expect(resumes[0].changed).to.deep.equal({ epochs: [1, 2] });
    expect(resumes[0].fromStep).to.equal(2);
  });
});
