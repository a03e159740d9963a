// The training loop behind `crsam train`: data, trainer, a validation evaluation per epoch (it
// chooses best.ckpt), metrics, curves, atomic checkpoints (last and best), exact resume, clean
// interruption, the export, and at the end the test accuracy of the final and the best model —
// the test set is read only then, to report.
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadModel } from '../onnx/io';
import { writeFileAtomic } from '../core/atomic-file';
import { faultPoint } from '../core/fault-hook';
import { checkCheckpointFits, ExpectedState } from './checkpoint-check';
import { checkResume, readRecordedConfig } from './resume-policy';
import { openRunFolder } from './run-folder';
import { finishRunRecord } from './run-record';
import { beginRunFiles } from './run-start';
import { checkTrainingMemory } from '../zoo/memory';
import { GeometryTracker, geometryMetrics } from './geometry-tracker';
import { datasetBatches } from '../geometry/sources';
import * as path from 'node:path';
import { DataLoader, Dataset, DatasetPair, LoaderState, evalAugmentation, makeLoaders, validateDataset } from '../data';
import { buildArtifacts } from '../autodiff/artifacts';
import { Model } from '../onnx/ir';
import { ScheduleOptions } from '../optim/schedule';
import { Trainer, TrainerOptions, TrainingError } from './trainer';
import { loadRunCheckpoint, saveRunCheckpoint } from './checkpoint';
import { writeCurves, writeGeometryCurves } from './curves';
import { EpochRecord, MetricsLog } from './metrics-log';
import { artifactsDataShape, checkValidationRecord, DataShape, prepareRunData, writeValidationRecord } from './run-data';
import { EvalResult } from '../runtime/eval-session';

export { limitDataset } from './run-data';

export type LrScheduleKind = 'constant' | 'cosine' | 'step' | 'multistep';

export interface RunOptions {
  /** The forward model (path, bytes, a built Model, or a builder given the training set). */
  readonly model: string | Uint8Array | Model | ((train: Dataset) => Model);
  /** Refuse models whose estimated training memory exceeds this many bytes. Default: 80% of RAM. */
  readonly memoryLimit?: number;
  /** How the model is named in the summary. */
  readonly modelName: string;
  /**
   * Data set name (fashion-mnist, mnist, cifar10, cifar100, idx, synthetic), or your own train/test
   * pair (`Dataset`: bytes 0..255 in CHW order, one uint8 label per image).
   */
  readonly dataset: string | DatasetPair;
  /**
   * Training images held out (class-stratified, seeded) as the validation set that chooses
   * best.ckpt; 0 trains on all of them and writes no best.ckpt. Default: 5,000, or a tenth of a
   * training set under 50,000 images.
   */
  readonly valSplit?: number;
  /** Image shape and classes of the synthetic data set (the model's). Default: read from the model when it is not a builder. */
  readonly syntheticShape?: DataShape;
  /** Folder of the data set's files (CIFAR needs one). Default: the packaged data. */
  readonly dataDir?: string;
  /** Use only the first N training (after the hold-out) / test images of a seeded shuffle (quick runs). Default: all. */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Trainer settings except model and learning rate. */
  readonly trainer: Omit<TrainerOptions, 'model' | 'schedule' | 'lr'>;
  /** Peak learning rate. */
  readonly lr: number;
  /** Learning-rate schedule over the run. */
  readonly lrSchedule: LrScheduleKind;
  /** Linear warm-up epochs. Default: 0. */
  readonly warmupEpochs?: number;
  /** Cosine floor. Default: 0. */
  readonly lrMin?: number;
  /** Epochs at which step/multistep schedules multiply the lr by gamma. */
  readonly milestones?: readonly number[];
  readonly gamma?: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly evalBatchSize?: number;
  /** Seed of data order and augmentation. */
  readonly seed: number;
  /** Cutout hole size in pixels (0 off). */
  readonly cutout?: number;
  /** Record ‖g‖, Tr(H), λ_max and C(w) on the validation set (the test set with valSplit 0) every N epochs (0 = off). Default: 0. */
  readonly trackGeometry?: number;
  /** Images used for the geometry figures. Default: 512. */
  readonly geometrySamples?: number;
  /** Output folder. */
  readonly out: string;
  /** Continue the run saved in `out`. */
  readonly resume?: boolean;
  /** Replace a run already in `out` (otherwise such a folder is refused). Default: false. */
  readonly overwrite?: boolean;
  /** The command line that started the run, for the run record (run.json). Default: none. */
  readonly commandLine?: readonly string[];
  /** The resolved configuration, saved in checkpoints and the summary. */
  readonly config: Record<string, unknown>;
}

export interface StepProgress {
  /** Epoch number, from 1 (as in the metrics files). */
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
  readonly lr: number;
}

export interface RunEvents {
  onNote?(message: string): void;
  onStart?(info: { trainSize: number; valSize: number; testSize: number; stepsPerEpoch: number; parameters: number; parallel: boolean; startEpoch: number }): void;
  onStep?(p: StepProgress): void;
  /** Evaluation progress: `done` of `total` batches of the split (after epoch `epoch`, from 1). */
  onEvaluate?(p: { epoch: number; split: 'val' | 'test'; done: number; total: number }): void;
  onEpoch?(rec: EpochRecord, best: boolean): void;
}

/** Loss and accuracy of a model on the test set. */
export interface TestReport {
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
}

export interface RunSummary {
  readonly out: string;
  readonly epochs: readonly EpochRecord[];
  /** Epoch (from 1) of best.ckpt, chosen on validation accuracy; -1 without a validation set. */
  readonly bestEpoch: number;
  /** Validation accuracy of best.ckpt; NaN without a validation set. */
  readonly bestValAccuracy: number;
  /**
   * Test loss and accuracy of the final model and of best.ckpt, measured once after the last
   * epoch; absent when the run was interrupted or stopped. `best` is absent without a validation set.
   */
  readonly test?: { readonly final: TestReport; readonly best?: TestReport };
  readonly interrupted: boolean;
  /** Set when the run stopped early (NaN loss...). */
  readonly stopped?: string;
  readonly files: Readonly<Record<string, string>>;
}

export class RunError extends CrsamError {
  override readonly name = 'RunError';
}

function scheduleFor(o: RunOptions, stepsPerEpoch: number): ScheduleOptions {
  const warmupSteps = Math.round((o.warmupEpochs ?? 0) * stepsPerEpoch);
  const total = o.epochs * stepsPerEpoch;
  if (warmupSteps > 0 && warmupSteps >= total) {
    throw new RunError(`the learning-rate warm-up (${o.warmupEpochs} epochs) must end before training does (${o.epochs} epochs); lower --warmup-epochs (warmupEpochs) or raise --epochs`);
  }
  switch (o.lrSchedule) {
    case 'cosine': return { kind: 'cosine', baseLr: o.lr, totalSteps: total, etaMin: o.lrMin ?? 0, warmupSteps };
    case 'step': return { kind: 'step', baseLr: o.lr, stepSize: (o.milestones?.[0] ?? 30) * stepsPerEpoch, gamma: o.gamma ?? 0.1, warmupSteps };
    case 'multistep': return { kind: 'multistep', baseLr: o.lr, milestones: (o.milestones ?? []).map((m) => m * stepsPerEpoch), gamma: o.gamma ?? 0.1, warmupSteps };
    default: return { kind: 'constant', baseLr: o.lr, warmupSteps };
  }
}

export async function runTraining(o: RunOptions, events: RunEvents = {}, signal?: AbortSignal): Promise<RunSummary> {
  if (!(o.epochs >= 1)) throw new RunError(`--epochs must be at least 1, got ${o.epochs}`);
  // Checks the folder and takes its lock; nothing is written into it before every check has passed.
  const folder = openRunFolder({ out: o.out, resume: o.resume, overwrite: o.overwrite });
  let wrote = false;
  try {
    return await trainInFolder(o, events, signal, () => { wrote = true; });
  } finally {
    folder.release(!wrote);
  }
}

async function trainInFolder(o: RunOptions, events: RunEvents, signal: AbortSignal | undefined, firstWrite: () => void): Promise<RunSummary> {
  const ckptDir = path.join(o.out, 'checkpoints');
  const lastPath = path.join(ckptDir, 'last.ckpt');
  const bestPath = path.join(ckptDir, 'best.ckpt');
  const preloaded = o.dataset === 'synthetic' && !o.syntheticShape && typeof o.model !== 'function' ? loadForward(o.model) : undefined;
  const data = prepareRunData({ ...o, syntheticShape: o.syntheticShape ?? (preloaded ? modelShape(preloaded) : undefined) }, events.onNote);
  const { train, val, test } = data;
  const evalBatchSize = o.evalBatchSize ?? Math.max(o.batchSize, 256);
  const loaders = makeLoaders({ train, test: val ?? train }, { batchSize: o.batchSize, evalBatchSize, seed: o.seed, cutout: o.cutout ?? 0 });
  const stepsPerEpoch = loaders.train.batchesPerEpoch;
  if (o.resume) checkValidationRecord(o.out, data);
  const datasetName = data.name;

  // The forward model with its initial weights is kept in the run folder: a resumed run, `crsam
  // eval` and `crsam export` of a checkpoint rebuild everything from it.
  const forwardPath = path.join(o.out, 'forward_model.onnx');
  if (o.resume && !fs.existsSync(forwardPath)) throw new RunError(`${o.out} cannot be resumed: its ${forwardPath} is missing`);
  const model = o.resume ? loadModel(forwardPath)
    : typeof o.model === 'function' ? o.model(train) : preloaded ?? loadForward(o.model);
  checkTrainingMemory(model, o.batchSize, o.memoryLimit ?? os.totalmem() * 0.8, o.modelName, { parameterCopies: 8, activationFactor: (o.trainer.parallel ?? 'auto') === 'off' ? 3 : 6 });
  const trainer = await Trainer.create({ ...o.trainer, model, schedule: scheduleFor(o, stepsPerEpoch) });
  try {
    checkCompatible(trainer, train);
    if (trainer.deviceNote) events.onNote?.(trainer.deviceNote);
    for (const w of trainer.artifacts.warnings) events.onNote?.(`warning: ${w}`);
    const recorded = o.resume ? readRecordedConfig(o.out) : {};
    if (o.resume) checkResume(o.out, recorded, Object.fromEntries(Object.entries(o.config).filter(([k]) => k in recorded)));
    const resumed = o.resume ? loadRunCheckpoint(lastPath) : undefined;
    if (resumed) checkCheckpointFits(lastPath, resumed, expectedState(trainer, o));
    firstWrite();
    beginRunFiles({
      out: o.out, resume: !!o.resume, overwrite: !!o.overwrite, config: o.config, recorded, commandLine: o.commandLine, dataset: datasetName, train, test,
      threads: o.trainer.threads ?? null, device: o.trainer.device ?? 'cpu', fromStep: resumed?.trainer.stepCount ?? 0, fromEpoch: resumed?.epoch ?? 0,
    }, model);
    if (!o.resume) writeValidationRecord(o.out, data, o.seed);
    const log = new MetricsLog(o.out, !!o.resume);
    let history: EpochRecord[] = [];
    let stepLosses: [number, number][] = [];
    let best = { epoch: -1, accuracy: NaN };
    let startEpoch = 0;
    let partial = { lossSum: 0, correct: 0, count: 0, seconds: 0 };
    if (resumed) {
      const ck = resumed;
      trainer.setState(ck.trainer);
      loaders.train.setState(ck.meta.loader as LoaderState);
      history = (ck.meta.history as EpochRecord[]) ?? [];
      // Runs from before epochs were counted from 1 (their first record is epoch 0) are renumbered.
      if (history[0]?.epoch === 0) history = history.map((r) => ({ ...r, epoch: r.epoch + 1 }));
      stepLosses = (ck.meta.stepLosses as [number, number][]) ?? [];
      best = (ck.meta.best as typeof best) ?? best;
      partial = (ck.meta.partial as typeof partial) ?? partial;
      startEpoch = loaders.train.epoch;
      log.truncateTo(trainer.stepCount, history.length);
      events.onNote?.(`resuming ${o.out} at epoch ${startEpoch + 1}, step ${trainer.stepCount}`);
    }
    events.onStart?.({ trainSize: train.length, valSize: val?.length ?? 0, testSize: test.length, stepsPerEpoch, parameters: trainer.size, parallel: trainer.parallel, startEpoch });
    const save = (file: string, epoch: number) => saveRunCheckpoint(file, {
      trainer: trainer.getState(), epoch,
      meta: { config: o.config, loader: loaders.train.getState(), history, stepLosses, best, partial },
    });
    let interrupted = false;
    let lastLr = o.lr;
    let tracker: GeometryTracker | undefined;
    let stopped: string | undefined;
    for (let epoch = startEpoch; epoch < o.epochs && !interrupted && !stopped; epoch++) {
      const t0 = Date.now() - partial.seconds * 1000;
      let batchIndex = Math.round(partial.count / o.batchSize);
      for await (const batch of loaders.train.prefetch(trainer.dataInputs[0].name)) {
        let m;
        try {
          m = await trainer.step(batch);
          lastLr = m.lr;
        } catch (e) {
          if (e instanceof TrainingError) { stopped = e.message; break; }
          throw e;
        }
        partial.lossSum += m.loss * m.count;
        partial.correct += m.correct;
        partial.count += m.count;
        batchIndex++;
        faultPoint('step', 'done');
        stepLosses.push([m.stepIndex + 1, m.loss]);
        const secs = (Date.now() - t0) / 1000;
        log.step({ epoch: epoch + 1, step: m.stepIndex, lr: m.lr, loss: m.loss, lossPlus: m.lossPlus, lossMinus: m.lossMinus, gradNorm: m.gradNorm, curvature: m.curvature, slope: m.slope, accuracy: m.correct / m.count });
        events.onStep?.({ epoch: epoch + 1, epochs: o.epochs, batch: batchIndex, batches: stepsPerEpoch, loss: partial.lossSum / partial.count, accuracy: partial.correct / partial.count, imagesPerSecond: partial.count / Math.max(secs, 1e-9), lr: m.lr });
        if (signal?.aborted) { interrupted = true; break; }
      }
      if (stopped) break;
      partial.seconds = (Date.now() - t0) / 1000;
      // Interrupted mid-epoch: save where we are. On an epoch's last step, finish the epoch first.
      if (interrupted && loaders.train.epoch === epoch) { save(lastPath, epoch); break; }
      const ev = val ? await evaluateOn(trainer, loaders.test, (done, total) => events.onEvaluate?.({ epoch: epoch + 1, split: 'val', done, total })) : undefined;
      const rec: EpochRecord = {
        epoch: epoch + 1, step: trainer.stepCount, lr: lastLr,
        trainLoss: partial.lossSum / partial.count, trainAccuracy: partial.correct / partial.count,
        valLoss: ev?.loss ?? NaN, valAccuracy: ev?.accuracy ?? NaN, seconds: partial.seconds, imagesPerSecond: partial.count / Math.max(partial.seconds, 1e-9),
      };
      if (o.trackGeometry && (epoch + 1) % o.trackGeometry === 0) {
        const geoSet = val ?? test;
        events.onNote?.(`measuring the geometry (‖g‖, Tr(H), λ_max, C(w)) on ${Math.min(o.geometrySamples ?? 512, geoSet.length)} ${val ? 'validation' : 'test'} images`);
        tracker ??= GeometryTracker.create(trainer, { threads: o.trainer.threads, seed: o.seed });
        const geo = await tracker.measure(datasetBatches(geoSet, train, { samples: o.geometrySamples ?? 512, batchSize: o.batchSize, inputName: trainer.dataInputs[0].name, seed: o.seed }));
        (rec as { extra?: Record<string, number> }).extra = geometryMetrics(geo);
      } else if (o.trackGeometry) {
        // Same CSV columns every epoch; NaN where the geometry was not measured.
        (rec as { extra?: Record<string, number> }).extra = geometryMetrics();
      }
      history.push(rec);
      log.epoch(rec);
      // Selection on validation only; ties keep the earlier epoch.
      const isBest = !!ev && !(ev.accuracy <= best.accuracy);
      if (isBest && ev) best = { epoch: epoch + 1, accuracy: ev.accuracy };
      partial = { lossSum: 0, correct: 0, count: 0, seconds: 0 };
      // best before last: a crash between the two resumes from the previous last.ckpt and redoes
      // this epoch, which rewrites the same best.ckpt; never a best.ckpt older than last.ckpt says.
      if (isBest) save(bestPath, epoch + 1);
      save(lastPath, epoch + 1);
      events.onEpoch?.(rec, isBest);
      writeCurves(o.out, `${o.modelName} on ${datasetName}`, history, stepLosses, stepsPerEpoch);
      if (o.trackGeometry) writeGeometryCurves(o.out, `${o.modelName} on ${datasetName}: geometry (${val ? 'validation' : 'test'} set)`, history);
      if (interrupted) break;
    }
    const files: Record<string, string> = {
      metrics: path.join(o.out, 'metrics.jsonl'), csv: path.join(o.out, 'metrics.csv'),
      curvesSvg: path.join(o.out, 'curves.svg'), curvesPng: path.join(o.out, 'curves.png'),
      lastCheckpoint: lastPath, bestCheckpoint: bestPath,
    };
    if (!val) delete files.bestCheckpoint;
    if (!stopped) {
      files.model = path.join(o.out, 'model.onnx');
      trainer.exportInference(files.model);
    }
    await tracker?.close();
    // The test set, read once, after training: it reports and never chooses.
    const testLoader = () => new DataLoader(test, { batchSize: evalBatchSize, augment: { normalize: evalAugmentation(train).normalize } });
    // A run resumed from before best.ckpt was chosen on validation may have none: then only the final model.
    const bestSource = !val ? undefined : best.epoch === o.epochs ? 'final' : fs.existsSync(bestPath) ? bestPath : undefined;
    const testReport = !stopped && !interrupted ? await reportOnTest(trainer, testLoader(), bestSource,
      (done, total) => events.onEvaluate?.({ epoch: o.epochs, split: 'test', done, total })) : undefined;
    const summary: RunSummary = { out: o.out, epochs: history, bestEpoch: best.epoch, bestValAccuracy: best.accuracy, ...(testReport ? { test: testReport } : {}), interrupted, stopped, files };
    files.summary = path.join(o.out, 'summary.json');
    writeFileAtomic(files.summary, JSON.stringify({ ...summary, config: o.config, finalStep: trainer.stepCount }, null, 2));
    finishRunRecord(o.out, stopped ? 'stopped' : interrupted ? 'interrupted' : 'finished', { finalStep: trainer.stepCount, stopped: stopped ?? null }, testReport ? test : undefined);
    return summary;
  } finally {
    await trainer.close();
  }
}

function loadForward(m: string | Uint8Array | Model): Model {
  return typeof m === 'string' || m instanceof Uint8Array ? loadModel(m) : m;
}

/** The input shape and class count of a forward model, for a synthetic data set that fits it. */
function modelShape(model: Model): DataShape | undefined {
  return artifactsDataShape(buildArtifacts(model));
}

/** Mean loss and accuracy over a loader's batches, reporting batches done. */
async function evaluateOn(trainer: Trainer, loader: DataLoader, onBatch: (done: number, total: number) => void): Promise<EvalResult> {
  const input = trainer.dataInputs[0].name;
  const total = loader.batchesPerEpoch;
  onBatch(0, total);
  const batches = (function* () {
    let done = 0;
    for (const b of loader.batches(input)) { yield b; onBatch(++done, total); }
  })();
  return trainer.evaluate(batches);
}

/**
 * The test loss and accuracy of the trainer's (final) model and of best.ckpt (`best`: its path,
 * 'final' when the last epoch was the best, or undefined without a validation set). Loading
 * best.ckpt leaves the trainer holding its weights, so this comes after the final model's export.
 */
async function reportOnTest(trainer: Trainer, loader: DataLoader, best: string | 'final' | undefined, onBatch: (done: number, total: number) => void): Promise<{ final: TestReport; best?: TestReport }> {
  const asReport = (r: EvalResult): TestReport => ({ loss: r.loss, accuracy: r.accuracy, count: r.count });
  const final = asReport(await evaluateOn(trainer, loader, onBatch));
  if (best === undefined) return { final };
  if (best === 'final') return { final, best: final };
  const ck = loadRunCheckpoint(best);
  trainer.loadParameters(new Map([...ck.trainer.params, ...ck.trainer.buffers]));
  return { final, best: asReport(await evaluateOn(trainer, loader, onBatch)) };
}

function expectedState(trainer: Trainer, o: RunOptions): ExpectedState {
  const sizes = (m: Map<string, Float32Array>) => new Map([...m].map(([k, v]) => [k, v.length]));
  return { params: sizes(trainer.parameters()), buffers: sizes(trainer.buffers()), base: o.trainer.base ?? 'sgd', momentum: o.trainer.momentum ?? 0.9, size: trainer.size };
}

function checkCompatible(trainer: Trainer, ds: Dataset): void {
  // Own data sets arrive without the registry's checks.
  validateDataset(ds);
  if (trainer.numClasses !== ds.numClasses) {
    throw new RunError(`the model has ${trainer.numClasses} output classes but ${ds.name} has ${ds.numClasses}; export the model with ${ds.numClasses} classes`);
  }
  const shape = trainer.dataInputs[0]?.shape;
  const want = [ds.channels, ds.height, ds.width];
  if (shape && shape.length === 4 && !shape.slice(1).every((d, i) => typeof d !== 'number' || d === want[i])) {
    throw new RunError(`the model takes inputs [${shape.join(', ')}] but ${ds.name} images are [${want.join(', ')}]; pick a model built for ${ds.height}×${ds.width}×${ds.channels} inputs`);
  }
}

