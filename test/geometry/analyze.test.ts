// analyzeGeometry, the training tracker and the `crsam analyze` / `crsam landscape` commands, end
// to end on the synthetic data set and a small ResNet.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeSyntheticDataset } from '../../src/data';
import { GeometryReport, analyzeGeometry } from '../../src/geometry/analyze';
import { GeometryError } from '../../src/geometry/errors';
import { datasetBatches } from '../../src/geometry/sources';
import { GeometryTracker } from '../../src/train/geometry-tracker';
import { resolveGeometryModel } from '../../src/train/geometry-model';
import { saveModel } from '../../src/onnx/io';
import { saveRunCheckpoint } from '../../src/train/checkpoint';
import { Trainer } from '../../src/train/trainer';
import { buildZooModel } from '../../src/zoo';
import { runCli as cli } from '../cli/in-process';

const SHAPE = { inputSize: 8, channels: 1, numClasses: 4 };
const FAST = { trace: { maxIter: 8 }, eigen: { maxIter: 12 }, threads: 2 } as const;

describe('analyzeGeometry and the geometry commands', () => {
  const pair = makeSyntheticDataset();
  const batches = datasetBatches(pair.test, pair.train, { samples: 96, batchSize: 32 });
  let trainer: Trainer;
  let dir: string;
  let fromTrainer: GeometryReport;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-geometry-'));
    trainer = await Trainer.create({ model: buildZooModel('resnet-fmnist', SHAPE), optimizer: 'sgd', parallel: 'off', threads: 2, lr: 0.1 });
    for (const b of datasetBatches(pair.train, pair.train, { samples: 128, batchSize: 32, seed: 1 })) await trainer.step(b);
    fromTrainer = await analyzeGeometry({ model: trainer, batches, ...FAST, eigenvalues: 2 });
  });
  after(async () => { await trainer.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it("reports Table 3's figures, consistent with each other", async () => {
    const r = fromTrainer;
    const ev = await trainer.evaluate(batches);
    expect(r.loss).to.be.closeTo(ev.loss, 1e-6);
    expect(r.accuracy).to.equal(ev.accuracy);
    expect(r.samples).to.equal(96);
    expect(r.batches).to.equal(3);
    expect(r.gradNorm).to.be.at.least(r.gradNormFullBatch);
    expect(r.normalizedTrace).to.equal((r.trace as number) / r.gradNorm);
    expect(r.lambdaMax).to.equal(r.eigenvalues?.[0]);
    expect(r.eigenvalues).to.have.length(2);
    // Lanczos (the default) reports the top eigenvalues in algebraic order, and λ_min below them.
    expect(r.eigenMethod).to.equal('lanczos');
    expect(r.eigenvalues?.[0] as number).to.be.at.least(r.eigenvalues?.[1] as number);
    expect(r.lambdaMin as number).to.be.at.most(r.eigenvalues?.[1] as number);
    expect(r.eigenResiduals?.every((x) => Number.isFinite(x) && x >= 0)).to.equal(true);
    expect(r.traceStandardError as number).to.be.above(0);
    const [lo, hi] = r.traceInterval as [number, number];
    expect(lo).to.be.below(r.trace as number);
    expect(hi).to.be.above(r.trace as number);
    expect(r.normalizedTraceStandardError).to.be.closeTo((r.traceStandardError as number) / r.gradNorm, 1e-12);
    expect(r.cost.hvpPasses).to.equal(3 * ((r.traceHvps ?? 0) + (r.eigenHvps ?? 0)));
    expect(r.settings.batchNorm).to.equal('running-statistics');
  });

  it('gives the same figures for the exported model file and its run folder', async () => {
    const file = path.join(dir, 'model.onnx');
    saveModel(trainer.inferenceModel(), file);
    const r = await analyzeGeometry({ model: resolveGeometryModel(dir), batches, ...FAST, eigenvalues: 2 });
    expect(r.model).to.equal(path.basename(dir));
    for (const k of ['loss', 'gradNorm', 'trace', 'lambdaMax'] as const) expect(r[k] as number, k).to.be.closeTo(fromTrainer[k] as number, 1e-5 * Math.abs(fromTrainer[k] as number));
  });

  it('rebuilds a run that has only a checkpoint from its config', () => {
    const run = path.join(dir, 'stopped');
    fs.mkdirSync(path.join(run, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(run, 'run-config.json'), JSON.stringify({ model: 'resnet-fmnist', seed: 0, data: 'synthetic' }));
    saveRunCheckpoint(path.join(run, 'checkpoints', 'last.ckpt'), { trainer: trainer.getState(), epoch: 1, meta: {} });
    expect(() => resolveGeometryModel(run)).to.throw(GeometryError, /checkpoint/);
    const m = resolveGeometryModel(run, { channels: 1, height: 8, numClasses: 4 });
    const name = trainer.artifacts.params[0].name;
    expect([...(m.params.get(name) as Float32Array)]).to.deep.equal([...(trainer.parameters().get(name) as Float32Array)]);
  });

  it('finite-difference HVPs give the exact trace on a smooth model; the approximation ratio runs', async () => {
    // On ReLU networks central differences also count the kinks a step crosses (relu'' is a Dirac
    // delta, which the exact product leaves out), so the comparison is made on a GELU ViT.
    const vit = buildZooModel('vit-tiny', SHAPE);
    // Hutchinson: the same ±1 probes in both modes, so the traces differ only by the HVPs (Hutch++
    // builds its basis from HVPs, which moves every later probe's deflation with the HVP error).
    const same = { ...FAST, trace: { maxIter: 8, method: 'hutchinson' }, eigenvalues: 0 } as const;
    const exact = await analyzeGeometry({ model: vit, batches: batches.slice(0, 1), ...same });
    const fd = await analyzeGeometry({ model: vit, batches: batches.slice(0, 1), ...same, hvp: 'finite-difference' });
    expect(Math.abs((fd.trace as number) - (exact.trace as number)) / Math.abs(exact.trace as number)).to.be.below(1e-3);
    expect(fd.cost.hvpPasses).to.equal(0);
    expect(fd.cost.gradientPasses).to.equal(1 + 2 * (fd.traceHvps ?? 0));
    const ar = await analyzeGeometry({ model: trainer, batches: batches.slice(0, 1), trace: false, eigenvalues: 0, approximationRatio: { steps: 4 }, threads: 2 });
    const result = ar.approximationRatio;
    expect((result?.perBatch.length ?? 0) + (result?.skipped ?? 0)).to.equal(1);
    expect(ar.cost.gradientPasses).to.equal(1 + 4);
    expect(ar.trace).to.equal(undefined);
  });

  it('the training tracker measures at the current weights, with the same probes every time', async () => {
    const tracker = GeometryTracker.create(trainer, { traceMaxIter: 8, eigenMaxIter: 12, threads: 2 });
    const a = await tracker.measure(batches);
    const b = await tracker.measure(batches);
    expect(b.trace).to.equal(a.trace);
    expect(a.trace).to.be.closeTo(fromTrainer.trace as number, 1e-6 * Math.abs(a.trace));
    expect(a.cw).to.equal(a.trace / a.gradNorm);
    expect(a.cwStandardError).to.be.closeTo(a.traceStandardError / a.gradNorm, 1e-12);
    expect(a.lambdaMin).to.be.at.most(a.lambdaMax);
    expect(a.lambdaMaxResidual).to.be.at.least(0);
    await trainer.step(batches[0]);
    const c = await tracker.measure(batches);
    expect(c.gradNorm).to.not.equal(a.gradNorm);
    await tracker.close();
  });

  it('crsam analyze prints and saves the table; crsam landscape writes data and plots', async () => {
    const out = path.join(dir, 'cli');
    const a = await cli(['analyze', path.join(dir, 'model.onnx'), '--compare', 'resnet-fmnist', '--data', 'synthetic', '--samples', '64', '--batch-size', '32', '--trace-iters', '4', '--eigen-iters', '6', '--density', '--density-steps', '5', '--density-probes', '1', '--threads', '2', '--out', out]);
    expect(a.code).to.equal(0);
    expect(a.out).to.match(/‖∇L‖\s+Tr\(H\) ± SE\s+C\(w\) ± SE\s+λ_max\s+λ_min\s+accuracy/);
    expect(a.out).to.match(/Tr\(H\) = \S+ ± \S+, 95 % CI \[/);
    expect(a.out).to.match(/λ_max = \S+ \(residual \S+\), λ_min = \S+ \(residual \S+\); Lanczos/);
    const csv = fs.readFileSync(path.join(out, 'geometry-test-density-1.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).to.equal('lambda,density');
    // The density is also drawn (log scale): a real PNG next to the CSV.
    const png = fs.readFileSync(path.join(out, 'geometry-test-density-1.png'));
    expect(png.subarray(1, 4).toString('latin1')).to.equal('PNG');
    expect(png.length).to.be.greaterThan(2000);
    expect(csv).to.have.length(401);
    expect(a.out).to.include('model.onnx').and.include('resnet-fmnist');
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'geometry-test.json'), 'utf8')) as { reports: GeometryReport[] };
    expect(saved.reports).to.have.length(2);
    expect(fs.readFileSync(path.join(out, 'geometry-test.txt'), 'utf8')).to.include('C(w)');
    const l = await cli(['landscape', dir, '--data', 'synthetic', '--samples', '64', '--resolution', '3', '--threads', '2']);
    expect(l.code).to.equal(0);
    for (const f of ['landscape.json', 'landscape.csv', 'landscape.svg', 'landscape.png', 'landscape-slice.svg', 'landscape-slice.png']) {
      expect(fs.existsSync(path.join(dir, 'landscape', f)), f).to.equal(true);
    }
    expect((await cli(['analyze', path.join(dir, 'missing.onnx'), '--data', 'synthetic'])).code).to.equal(1);
  });
});
