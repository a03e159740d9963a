// The training loop behind `crsam train`: data, trainer, a test evaluation per epoch, metrics,
// curves, atomic checkpoints (last and best), exact resume, clean interruption, and the export.
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadModel, saveModel } from '../onnx/io';
import { checkTrainingMemory } from '../zoo/memory';
import { GeometryTracker, geometryMetrics } from './geometry-tracker';
import { datasetBatches } from '../geometry/sources';
import * as path from 'node:path';
import { Batch as DataBatch, Dataset, DatasetPair, LoaderState, Rng, loadDataset, makeLoaders, subsetDataset } from '../data';
import { Batch } from '../runtime/batch';
import { Model } from '../onnx/ir';
import { ScheduleOptions } from '../optim/schedule';
import { Trainer, TrainerOptions, TrainingError } from './trainer';
import { loadRunCheckpoint, saveRunCheckpoint } from './checkpoint';
import { writeCurves, writeGeometryCurves } from './curves';
import { EpochRecord, MetricsLog } from './metrics-log';
import { makeOutputDirectory } from '../core/safe-fs';

export type LrScheduleKind = 'constant' | 'cosine' | 'step' | 'multistep';

export interface RunOptions {
  /** The forward model (path, bytes, a built Model, or a builder given the training set). */
  readonly model: string | Uint8Array | Model | ((train: Dataset) => Model);
  /** Refuse models whose estimated training memory exceeds this many bytes. Default: 80% of RAM. */
  readonly memoryLimit?: number;
  /** How the model is named in the summary. */
  readonly modelName: string;
  /** Data set name (fashion-mnist, mnist, cifar10, cifar100, synthetic). */
  readonly dataset: string;
  /** Folder of the data set's files (CIFAR needs one). Default: the packaged data. */
  readonly dataDir?: string;
  /** Use only the first N training / test images of a seeded shuffle (quick runs). Default: all. */
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
  /** Record ‖g‖, Tr(H), λ_max and C(w) on the test set every N epochs (0 = off). Default: 0. */
  readonly trackGeometry?: number;
  /** Test images used for the geometry figures. Default: 512. */
  readonly geometrySamples?: number;
  /** Output folder. */
  readonly out: string;
  /** Continue the run saved in `out`. */
  readonly resume?: boolean;
  /** The resolved configuration, saved in checkpoints and the summary. */
  readonly config: Record<string, unknown>;
}

export interface StepProgress {
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
  onStart?(info: { trainSize: number; testSize: number; stepsPerEpoch: number; parameters: number; parallel: boolean; startEpoch: number }): void;
  onStep?(p: StepProgress): void;
  onEvaluate?(epoch: number): void;
  onEpoch?(rec: EpochRecord, best: boolean): void;
}

export interface RunSummary {
  readonly out: string;
  readonly epochs: readonly EpochRecord[];
  readonly bestEpoch: number;
  readonly bestTestAccuracy: number;
  readonly interrupted: boolean;
  /** Set when the run stopped early (NaN loss...). */
  readonly stopped?: string;
  readonly files: Readonly<Record<string, string>>;
}

export class RunError extends CrsamError {
  override readonly name = 'RunError';
}

/** The seeded subset `--train-limit`/`--test-limit` select (the first n of a seeded shuffle, in data-set order). */
export function limitDataset(ds: Dataset, n: number | undefined, seed: number): Dataset {
  if (!n || n >= ds.length) return ds;
  const idx = Array.from({ length: ds.length }, (_, i) => i);
  new Rng(seed, `subset-${ds.split ?? ''}`).shuffle(idx);
  return subsetDataset(ds, idx.slice(0, n).sort((a, b) => a - b));
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
  const ckptDir = path.join(o.out, 'checkpoints');
  const lastPath = path.join(ckptDir, 'last.ckpt');
  const bestPath = path.join(ckptDir, 'best.ckpt');
  if (o.resume && !fs.existsSync(lastPath)) throw new RunError(`nothing to resume in ${o.out}: ${lastPath} does not exist`);
  makeOutputDirectory(ckptDir);

  const pair: DatasetPair = loadDataset(o.dataset, { dir: o.dataDir, onProgress: (p) => events.onNote?.(p.message) });
  const train = limitDataset(pair.train, o.trainLimit, o.seed);
  const test = limitDataset(pair.test, o.testLimit, o.seed);
  const loaders = makeLoaders({ train, test }, { batchSize: o.batchSize, evalBatchSize: o.evalBatchSize ?? Math.max(o.batchSize, 256), seed: o.seed, cutout: o.cutout ?? 0 });
  const stepsPerEpoch = loaders.train.batchesPerEpoch;

  // The forward model with its initial weights is kept in the run folder: a resumed run, `crsam
  // eval` and `crsam export` of a checkpoint rebuild everything from it.
  const forwardPath = path.join(o.out, 'forward_model.onnx');
  const model = o.resume && fs.existsSync(forwardPath) ? loadModel(forwardPath)
    : typeof o.model === 'function' ? o.model(train) : typeof o.model === 'string' || o.model instanceof Uint8Array ? loadModel(o.model) : o.model;
  if (!o.resume) saveModel(model, forwardPath);
  checkTrainingMemory(model, o.batchSize, o.memoryLimit ?? os.totalmem() * 0.8, o.modelName, { parameterCopies: 8, activationFactor: (o.trainer.parallel ?? 'auto') === 'off' ? 3 : 6 });
  const trainer = await Trainer.create({ ...o.trainer, model, schedule: scheduleFor(o, stepsPerEpoch) });
  try {
    checkCompatible(trainer, train);
    if (trainer.deviceNote) events.onNote?.(trainer.deviceNote);
    const log = new MetricsLog(o.out, !!o.resume);
    let history: EpochRecord[] = [];
    let stepLosses: [number, number][] = [];
    let best = { epoch: -1, accuracy: -1 };
    let startEpoch = 0;
    let partial = { lossSum: 0, correct: 0, count: 0, seconds: 0 };
    if (o.resume) {
      const ck = loadRunCheckpoint(lastPath);
      trainer.setState(ck.trainer);
      loaders.train.setState(ck.meta.loader as LoaderState);
      history = (ck.meta.history as EpochRecord[]) ?? [];
      stepLosses = (ck.meta.stepLosses as [number, number][]) ?? [];
      best = (ck.meta.best as typeof best) ?? best;
      partial = (ck.meta.partial as typeof partial) ?? partial;
      startEpoch = loaders.train.epoch;
      log.truncateTo(trainer.stepCount, history.length);
      events.onNote?.(`resuming ${o.out} at epoch ${startEpoch + 1}, step ${trainer.stepCount}`);
    }
    events.onStart?.({ trainSize: train.length, testSize: test.length, stepsPerEpoch, parameters: trainer.size, parallel: trainer.parallel, startEpoch });
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
      for await (const batch of loaders.train.prefetch()) {
        let m;
        try {
          m = await trainer.step(toRuntimeBatch(batch, trainer.dataInputs[0].name));
          lastLr = m.lr;
        } catch (e) {
          if (e instanceof TrainingError) { stopped = e.message; break; }
          throw e;
        }
        partial.lossSum += m.loss * m.count;
        partial.correct += m.correct;
        partial.count += m.count;
        batchIndex++;
        stepLosses.push([m.stepIndex + 1, m.loss]);
        const secs = (Date.now() - t0) / 1000;
        log.step({ epoch, step: m.stepIndex, lr: m.lr, loss: m.loss, lossPlus: m.lossPlus, lossMinus: m.lossMinus, gradNorm: m.gradNorm, curvature: m.curvature, slope: m.slope, accuracy: m.correct / m.count });
        events.onStep?.({ epoch, epochs: o.epochs, batch: batchIndex, batches: stepsPerEpoch, loss: partial.lossSum / partial.count, accuracy: partial.correct / partial.count, imagesPerSecond: partial.count / Math.max(secs, 1e-9), lr: m.lr });
        if (signal?.aborted) { interrupted = true; break; }
      }
      if (stopped) break;
      partial.seconds = (Date.now() - t0) / 1000;
      // Interrupted mid-epoch: save where we are. On an epoch's last step, finish the epoch first.
      if (interrupted && loaders.train.epoch === epoch) { save(lastPath, epoch); break; }
      events.onEvaluate?.(epoch);
      const ev = await trainer.evaluate(asRuntimeBatches(loaders.test.batches(), trainer.dataInputs[0].name));
      const rec: EpochRecord = {
        epoch, step: trainer.stepCount, lr: lastLr,
        trainLoss: partial.lossSum / partial.count, trainAccuracy: partial.correct / partial.count,
        testLoss: ev.loss, testAccuracy: ev.accuracy, seconds: partial.seconds, imagesPerSecond: partial.count / Math.max(partial.seconds, 1e-9),
      };
      if (o.trackGeometry && (epoch + 1) % o.trackGeometry === 0) {
        events.onNote?.(`measuring the geometry (‖g‖, Tr(H), λ_max, C(w)) on ${Math.min(o.geometrySamples ?? 512, test.length)} test images`);
        tracker ??= GeometryTracker.create(trainer, { threads: o.trainer.threads, seed: o.seed });
        const geo = await tracker.measure(datasetBatches(test, train, { samples: o.geometrySamples ?? 512, batchSize: o.batchSize, inputName: trainer.dataInputs[0].name, seed: o.seed }));
        (rec as { extra?: Record<string, number> }).extra = geometryMetrics(geo);
      } else if (o.trackGeometry) {
        // Same CSV columns every epoch; NaN where the geometry was not measured.
        (rec as { extra?: Record<string, number> }).extra = geometryMetrics();
      }
      history.push(rec);
      log.epoch(rec);
      const isBest = ev.accuracy > best.accuracy;
      if (isBest) best = { epoch, accuracy: ev.accuracy };
      partial = { lossSum: 0, correct: 0, count: 0, seconds: 0 };
      save(lastPath, epoch + 1);
      if (isBest) fs.copyFileSync(lastPath, bestPath);
      events.onEpoch?.(rec, isBest);
      writeCurves(o.out, `${o.modelName} on ${o.dataset}`, history, stepLosses, stepsPerEpoch);
      if (o.trackGeometry) writeGeometryCurves(o.out, `${o.modelName} on ${o.dataset}: geometry (test set)`, history);
      if (interrupted) break;
    }
    const files: Record<string, string> = {
      metrics: path.join(o.out, 'metrics.jsonl'), csv: path.join(o.out, 'metrics.csv'),
      curvesSvg: path.join(o.out, 'curves.svg'), curvesPng: path.join(o.out, 'curves.png'),
      lastCheckpoint: lastPath, bestCheckpoint: bestPath,
    };
    if (!stopped) {
      files.model = path.join(o.out, 'model.onnx');
      trainer.exportInference(files.model);
    }
    await tracker?.close();
    const summary: RunSummary = { out: o.out, epochs: history, bestEpoch: best.epoch, bestTestAccuracy: best.accuracy, interrupted, stopped, files };
    files.summary = path.join(o.out, 'summary.json');
    fs.writeFileSync(files.summary, JSON.stringify({ ...summary, config: o.config, finalStep: trainer.stepCount }, null, 2));
    return summary;
  } finally {
    await trainer.close();
  }
}

/** A data-layer batch as the runtime takes it (no copy). */
export function toRuntimeBatch(b: DataBatch, input: string): Batch {
  return { inputs: { [input]: { data: b.inputs, dims: b.dims } }, labels: b.labels };
}

function* asRuntimeBatches(batches: Iterable<DataBatch>, input: string): Generator<Batch> {
  for (const b of batches) yield toRuntimeBatch(b, input);
}

function checkCompatible(trainer: Trainer, ds: Dataset): void {
  if (trainer.numClasses !== ds.numClasses) {
    throw new RunError(`the model has ${trainer.numClasses} output classes but ${ds.name} has ${ds.numClasses}; export the model with ${ds.numClasses} classes`);
  }
  const shape = trainer.dataInputs[0]?.shape;
  const want = [ds.channels, ds.height, ds.width];
  if (shape && shape.length === 4 && !shape.slice(1).every((d, i) => typeof d !== 'number' || d === want[i])) {
    throw new RunError(`the model takes inputs [${shape.join(', ')}] but ${ds.name} images are [${want.join(', ')}]; pick a model built for ${ds.height}×${ds.width}×${ds.channels} inputs`);
  }
}

