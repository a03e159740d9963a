// `crsam compare` end to end on a tiny grid: the study is killed after its first run, resumed,
// and the report's figures are checked against the runs' own files.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../repo-root';
import { runCrsam } from './run-crsam';

const root = repoRoot();
const bin = path.join(root, 'bin', 'crsam.js');
const crsam = (...args: string[]) => runCrsam(args, { timeout: 300000 });
const GRID = ['--model', 'mlp', '--data', 'synthetic', '--epochs', '1', '--optimizer', 'sgd,crsam', '--seed', '0,1', '--analyze-samples', '32'];


function waitFor(file: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (fs.existsSync(file)) resolve();
      else if (Date.now() > until) reject(new Error(`${file} did not appear`));
      else setTimeout(poll, 100);
    };
    poll();
  });
}

describe('crsam compare', function () {
  this.timeout(600000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-compare-'));
  const study = path.join(tmp, 'study');

  it('runs the grid, survives being killed, resumes, and reports what the runs measured', async () => {
    // Started in its own process group, so killing the group also kills the run it started.
    const child = spawn(process.execPath, [bin, 'compare', ...GRID, '--study', study], { cwd: root, detached: true, stdio: 'ignore' });
    await waitFor(path.join(study, 'runs', 'sgd-seed0', 'geometry-test.json'), 240000);
    process.kill(-(child.pid as number), 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fs.existsSync(path.join(study, 'runs', 'crsam-seed1', 'summary.json'))).to.equal(false);

    expect(crsam('compare', '--resume', study, '--epochs', '2').stderr).to.match(/^crsam: --resume continues a study with the grid it was started with, so --epochs cannot be given with it\n$/);
    const r = crsam('compare', '--resume', study);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/sgd-seed0: done \(1\/4, already finished\)/);
    expect(r.stdout).to.match(/4 of 4 runs finished/);

    const report = JSON.parse(fs.readFileSync(path.join(study, 'report.json'), 'utf8')) as {
      treatments: { treatment: string; runs: string[]; figures: { finalTestAccuracy: { mean: number }; trace: { mean: number } }; vsBaseline?: { finalTestAccuracy: { mean: number } } }[];
    };
    const lastAcc = (cell: string) => {
      const s = JSON.parse(fs.readFileSync(path.join(study, 'runs', cell, 'summary.json'), 'utf8')) as { test: { final: { accuracy: number } } };
      return s.test.final.accuracy;
    };
    const sgd = report.treatments.find((t) => t.treatment === 'sgd');
    const crsamT = report.treatments.find((t) => t.treatment === 'crsam');
    expect(sgd?.runs).to.deep.equal(['sgd-seed0', 'sgd-seed1']);
    expect(sgd?.figures.finalTestAccuracy.mean).to.be.closeTo((lastAcc('sgd-seed0') + lastAcc('sgd-seed1')) / 2, 1e-12);
    const diff = (lastAcc('crsam-seed0') - lastAcc('sgd-seed0') + lastAcc('crsam-seed1') - lastAcc('sgd-seed1')) / 2;
    expect(crsamT?.vsBaseline?.finalTestAccuracy.mean).to.be.closeTo(diff, 1e-12);
    const trace = JSON.parse(fs.readFileSync(path.join(study, 'runs', 'crsam-seed0', 'geometry-test.json'), 'utf8')) as { reports: { trace: number }[] };
    expect(Number.isFinite(trace.reports[0].trace)).to.equal(true);
    expect(crsamT?.figures.trace.mean).to.be.greaterThan(0);
    const md = fs.readFileSync(path.join(study, 'report.md'), 'utf8');
    expect(md).to.match(/\| crsam \| 2 \|/);
    expect(md).to.match(/Difference to SGD, paired by seed/);
    expect(fs.statSync(path.join(study, 'curves.png')).size).to.be.greaterThan(1000);
  });

  it('--resume --landscape adds the side-by-side landscapes of the finished runs', () => {
    const r = crsam('compare', '--resume', study, '--landscape', '5');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/sgd-seed0: loss landscape/);
    expect(r.stdout).to.not.match(/sgd-seed1: loss landscape/);
    expect(fs.existsSync(path.join(study, 'runs', 'crsam-seed0', 'landscape', 'landscape.json'))).to.equal(true);
    expect(fs.statSync(path.join(study, 'landscapes.png')).size).to.be.greaterThan(1000);
  });

  it('--report rebuilds the report from the finished runs', () => {
    fs.rmSync(path.join(study, 'report.md'));
    const r = crsam('compare', '--report', study);
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.existsSync(path.join(study, 'report.md'))).to.equal(true);
  });

  it('bad grids end in one sentence', () => {
    expect(crsam('compare', '--optimizer', 'sgd,adam').stderr).to.match(/^crsam: --optimizer must be one of sgd, sam, asam, crsam, not 'adam'\n$/);
    expect(crsam('compare', '--seed', '0,0').stderr).to.match(/^crsam: --seed lists a value twice/);
    expect(crsam('compare', '--preset', 'nope').stderr).to.match(/^crsam: there is no preset 'nope'; the presets are: cifar10-pyramidnet-110/);
    expect(crsam('compare', '--resume', path.join(tmp, 'none')).stderr).to.match(/is not a study folder/);
  });
});
