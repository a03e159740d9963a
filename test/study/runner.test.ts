// The study runner with a fake executor that writes what a finished run leaves behind, so the
// scheduling (skip, resume, failures, concurrency) is tested without training anything.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GridCell, StudyDefinition, StudyExecutor, buildReport, createStudy, readCellResult, readStudy, runDir, runStudy, studyCells } from '../../src/study';

function finish(dir: string, accuracy: number): void {
  fs.mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'checkpoints', 'last.ckpt'), '');
  const epochs = [{ epoch: 1, step: 10, trainLoss: 1, trainAccuracy: 0.5, valAccuracy: accuracy + 0.01, seconds: 2 }];
  const test = { final: { loss: 0.5, accuracy }, best: { loss: 0.5, accuracy: accuracy - 0.01 } };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ interrupted: false, epochs, test }));
}

function fake(accuracy: (cell: GridCell) => number, log: string[], failOn?: string): StudyExecutor & { running: number; most: number } {
  const ex = {
    running: 0, most: 0,
    async train(cell: GridCell, dir: string, state: string) {
      ex.running++; ex.most = Math.max(ex.most, ex.running);
      log.push(`${state} ${cell.name}`);
      await new Promise((r) => setTimeout(r, 5));
      ex.running--;
      if (cell.name === failOn) throw new Error('crsam: the data set is missing');
      finish(dir, accuracy(cell));
    },
    async landscape(cell: GridCell, dir: string) {
      log.push(`landscape ${cell.name}`);
      fs.mkdirSync(path.join(dir, 'landscape'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'landscape', 'landscape.json'), JSON.stringify({ dimensions: 2, x: [-1, 0, 1], y: [-1, 0, 1], loss: [[3, 2, 3], [2, 1, 2], [3, 2, 3]] }));
    },
    async analyze(cell: GridCell, dir: string) {
      log.push(`analyze ${cell.name}`);
      fs.writeFileSync(path.join(dir, 'geometry-test.json'), JSON.stringify({ reports: [{ gradNorm: 1, trace: 10, traceStandardError: 0.5, normalizedTrace: 10, lambdaMax: 2 }] }));
    },
  };
  return ex;
}

const def: StudyDefinition = {
  format: 1, created: '2026-01-01', command: ['crsam', 'compare'], shared: { model: 'mlp' }, geometrySamples: 16,
  axes: [{ flag: 'optimizer', values: ['sgd', 'crsam'] }, { flag: 'seed', values: ['0', '1', '2'] }],
};

describe('study runner', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-study-')); createStudy(dir, def); });

  it('runs every cell, at most `jobs` at once, then each geometry', async () => {
    const log: string[] = [];
    const ex = fake(() => 0.9, log);
    const r = await runStudy(dir, readStudy(dir), ex, { jobs: 2, cores: 2 });
    expect(r.done).to.have.length(6);
    expect(r.failed).to.deep.equal([]);
    expect(ex.most).to.equal(2);
    expect(log.filter((l) => l.startsWith('new '))).to.have.length(6);
    expect(log.filter((l) => l.startsWith('analyze '))).to.have.length(6);
  });

  it('after an interruption, skips finished cells and resumes the partial one', async () => {
    const cells = studyCells(def);
    finish(runDir(dir, cells[0]), 0.9);
    fs.writeFileSync(path.join(runDir(dir, cells[0]), 'geometry-test.json'), '{}');
    fs.mkdirSync(path.join(runDir(dir, cells[1]), 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(runDir(dir, cells[1]), 'checkpoints', 'last.ckpt'), '');
    const log: string[] = [];
    await runStudy(dir, def, fake(() => 0.9, log), { jobs: 1, cores: 2 });
    expect(log[0]).to.equal('partial sgd-seed1');
    expect(log).to.not.include('new sgd-seed0');
    expect(log).to.not.include('analyze sgd-seed0');
  });

  it('a failing cell is reported and the others still run', async () => {
    const r = await runStudy(dir, def, fake(() => 0.9, [], 'crsam-seed1'), { jobs: 1, cores: 2 });
    expect(r.done).to.have.length(5);
    expect(r.failed).to.deep.equal([{ cell: 'crsam-seed1', message: 'crsam: the data set is missing' }]);
  });

  it("computes one landscape per treatment (its first seed's run) when asked", async () => {
    const log: string[] = [];
    await runStudy(dir, { ...def, landscapeResolution: 3 }, fake(() => 0.9, log), { jobs: 1, cores: 2 });
    expect(log.filter((l) => l.startsWith('landscape '))).to.deep.equal(['landscape sgd-seed0', 'landscape crsam-seed0']);
  });

  it('refuses to create a second study in the same folder', () => {
    expect(() => createStudy(dir, def)).to.throw(/already holds a study; continue it with 'crsam compare --resume/);
  });

  it('the report pairs each treatment with SGD by seed', async () => {
    const acc: Record<string, number> = { 'sgd-seed0': 0.80, 'sgd-seed1': 0.82, 'sgd-seed2': 0.81, 'crsam-seed0': 0.81, 'crsam-seed1': 0.84, 'crsam-seed2': 0.85 };
    await runStudy(dir, def, fake((c) => acc[c.name], []), { jobs: 1, cores: 2 });
    const cells = studyCells(def);
    const report = buildReport(cells, cells.map((c) => readCellResult(c, runDir(dir, c))), []);
    const crsam = report.treatments.find((t) => t.treatment === 'crsam');
    expect(crsam?.baseline).to.equal('sgd');
    // differences 0.01, 0.02, 0.04: mean 0.07/3, sd √(7/3)/100, half-width 4.303·sd/√3
    const d = crsam?.vsBaseline?.finalTestAccuracy;
    expect(d?.mean).to.be.closeTo(0.07 / 3, 1e-12);
    expect(d?.high).to.be.closeTo(0.07 / 3 + 4.303 * Math.sqrt(7 / 3) / 100 / Math.sqrt(3), 1e-9);
    expect(crsam?.figures.finalTestAccuracy.mean).to.be.closeTo((0.81 + 0.84 + 0.85) / 3, 1e-12);
    expect(crsam?.figures.passesPerStep.mean).to.equal(3);
    expect(crsam?.figures.bestValTestAccuracy.mean).to.be.closeTo((0.80 + 0.83 + 0.84) / 3, 1e-12);
    expect(crsam?.traceStdError).to.equal(0.5);
    expect(report.treatments.find((t) => t.treatment === 'sgd')?.vsBaseline).to.equal(undefined);
  });
});
