// crsam train and its run folder: a new folder per run, runs/latest as a link, an existing run
// never touched by a failing or a new command, resumes that must continue the same run, the run
// record, and the mistakes around them as one sentence.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../repo-root';
import { expectOneSentence, runCrsam } from './run-crsam';

const root = repoRoot();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-runs-'));
const crsam = (args: string[], cwd = tmp) => runCrsam(args, { cwd });
const QUICK = ['--model', 'mlp', '--data', 'synthetic', '--epochs', '1', '--batch-size', '32', '--train-limit', '64', '--test-limit', '32', '--threads', '1', '--parallel', 'off'];



/** SHA-256 of every file under `dir`, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else out[path.relative(dir, f)] = createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('crsam train: run folders', function () {
  this.timeout(300000);
  const run = path.join(tmp, 'run');
  before(() => {
    const r = crsam(['train', ...QUICK, '--out', run]);
    expect(r.code, r.stderr).to.equal(0);
  });

  it('gives each run a new folder and points runs/latest at it, leaving a real runs/latest folder alone', () => {
    const cwd = path.join(tmp, 'fresh');
    fs.mkdirSync(cwd);
    const a = crsam(['train', ...QUICK], cwd);
    const b = crsam(['train', ...QUICK], cwd);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    const runs = fs.readdirSync(path.join(cwd, 'runs')).filter((n) => n !== 'latest').sort();
    expect(runs).to.have.length(2);
    for (const n of runs) expect(n).to.match(/^mlp-crsam-\d{8}-\d{6}(-\d+)?$/);
    expect(fs.lstatSync(path.join(cwd, 'runs', 'latest')).isSymbolicLink()).to.equal(true);
    expect(fs.realpathSync(path.join(cwd, 'runs', 'latest'))).to.equal(fs.realpathSync(path.join(cwd, 'runs', runs[1])));
    const old = path.join(tmp, 'old-layout');
    fs.mkdirSync(path.join(old, 'runs', 'latest'), { recursive: true });
    fs.writeFileSync(path.join(old, 'runs', 'latest', 'run-config.json'), '{}');
    const c = crsam(['train', ...QUICK], old);
    expect(c.code, c.stderr).to.equal(0);
    expect(c.stdout).to.match(/runs\/latest is not a link crsam made, so it was left as it is/);
    expect(fs.readdirSync(path.join(old, 'runs', 'latest'))).to.deep.equal(['run-config.json']);
  });

  it('refuses to train into a folder holding a run, changing nothing, unless --resume or --overwrite', () => {
    const before = snapshot(run);
    expectOneSentence(crsam(['train', ...QUICK, '--out', run]), /already holds a run \(run-config\.json, .*\); continue it with --resume .*, or pass --overwrite to replace it/);
    // A class-count mismatch used to rewrite run-config.json and forward_model.onnx before failing.
    expectOneSentence(crsam(['train', '--model', path.join(root, 'models', 'mlp.onnx'), '--data', 'synthetic', '--epochs', '1', '--out', run, '--overwrite']), /10 output classes but synthetic has 4/);
    expect(snapshot(run)).to.deep.equal(before);
  });

  it('refuses a resume that changes the math, listing every such flag, and records the resumes it allows', () => {
    const before = snapshot(run);
    expectOneSentence(crsam(['train', '--resume', run, '--lr', '0.1', '--seed', '3', '--model', 'lenet5']),
      /a resumed run must continue the same run, but --lr 0.1 \(the run has 0.05\), --model lenet5 \(the run has mlp\), --seed 3 \(the run has 0\) would change its math/);
    expectOneSentence(crsam(['train', '--resume', run, '--config', path.join(tmp, 'x.json')]), /--config cannot be combined with --resume/);
    expect(snapshot(run)).to.deep.equal(before);
    const r = crsam(['train', '--resume', run, '--epochs', '2', '--threads', '2']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/training mlp /);
    const lines = fs.readFileSync(path.join(run, 'resumes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { time: string; changed: Record<string, unknown>; commandLine: string[]; fromStep: number });
    expect(lines).to.have.length(1);
    expect(lines[0].changed).to.deep.equal({ epochs: [1, 2], threads: [1, 2] });
    expect(lines[0].commandLine.slice(1)).to.deep.equal(['train', '--resume', run, '--epochs', '2', '--threads', '2']);
    expect(lines[0].fromStep).to.equal(2);
    expect((JSON.parse(fs.readFileSync(path.join(run, 'run-config.json'), 'utf8')) as { epochs: number }).epochs).to.equal(2);
  });

  it('records the command line, config, versions, machine, data checksums, start and end in run.json', () => {
    const rec = JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8')) as Record<string, unknown> & {
      config: Record<string, unknown>; environment: Record<string, unknown>; data: { contentSha256: { train: string; test: string }; fileSha256: unknown }; commandLine: string[];
    };
    expect(rec.status).to.equal('finished');
    expect(Date.parse(rec.end as string)).to.be.at.least(Date.parse(rec.start as string));
    expect(rec.commandLine.slice(1, 3)).to.deep.equal(['train', '--model']);
    expect(rec.config).to.include({ model: 'mlp', data: 'synthetic', lr: 0.05, seed: 0 });
    expect(rec.threads).to.equal(1);
    expect(rec.device).to.equal('cpu');
    const env = rec.environment;
    expect(env.crsamVersion).to.equal((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version);
    expect(env.node).to.equal(process.version);
    expect(env.onnxruntimeNode).to.match(/^\d+\.\d+\.\d+/);
    expect(env.cpu).to.be.a('string').and.not.equal('');
    expect(env.os).to.include(os.release());
    if (fs.existsSync(path.join(root, '.git'))) expect(env.gitCommit).to.match(/^[0-9a-f]{40}$/);
    expect(rec.data.contentSha256.train).to.match(/^[0-9a-f]{64}$/);
    expect(rec.data.contentSha256.test).to.match(/^[0-9a-f]{64}$/);
    expect(rec.data).to.have.property('fileSha256');
  });

  it('says in one sentence what is wrong with a damaged run-config.json, a config value of the wrong type, an unwritable --out, or a NaN loss before any checkpoint', () => {
    const broken = path.join(tmp, 'broken');
    fs.cpSync(run, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'run-config.json'), '{"model": "mlp", ');
    expectOneSentence(crsam(['train', '--resume', broken]), /run-config\.json is damaged \(not a JSON object of settings\)/);
    const cfg = path.join(tmp, 'typed.json');
    fs.writeFileSync(cfg, JSON.stringify({ epochs: '2x', lr: 0.1 }));
    expectOneSentence(crsam(['train', '--config', cfg]), /--epochs must be a whole number|'epochs' must be/);
    fs.writeFileSync(cfg, JSON.stringify({ lr: [0.1], nesterov: 'maybe' }));
    expectOneSentence(crsam(['train', '--config', cfg]), /'lr' must be a number, not \[0\.1\]|'nesterov'/);
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    expectOneSentence(crsam(['train', ...QUICK, '--out', path.join(file, 'run')]), /cannot write .*a-file\/run: a part of its path is a file, not a folder/);
    const nan = crsam(['train', ...QUICK, '--lr', '1e30', '--out', path.join(tmp, 'nan')]);
    expect(nan.code).to.equal(1);
    const last = nan.stderr.trim().split('\n').filter((l) => l.startsWith('crsam: '));
    expect(last, nan.stderr).to.have.length(1);
    expect(last[0]).to.match(/non-finite .*the run stopped, no checkpoint was saved yet \(it stopped in its first epoch\)$/);
  });
});
