// The training loop behind `crsam train`: data, trainer, a validation evaluation per epoch (it
// chooses best.ckpt), metrics, curves, atomic checkpoints (last and best), exact resume, clean
// interruption, the export, and at the end the test accuracy of the final and the best model —
// the test set is read only then, to report. This file sets a run up; its steps are in run-epochs.ts.
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadModel } from '../onnx/io';
import { checkCheckpointFits, ExpectedState } from './checkpoint-check';
import { checkResume, checkResumeReplicas, readRecordedConfig } from './resume-policy';
import { openRunFolder } from './run-folder';
import { beginRunFiles } from './run-start';
import { checkTrainingMemory } from '../zoo/memory';
import * as path from 'node:path';
import { Dataset, DatasetPair, makeLoaders, validateDataset } from '../data';
import { buildArtifacts } from '../autodiff/artifacts';
import { Model } from '../onnx/ir';
import type { EvalResult } from '../runtime/eval-session';
import { ScheduleOptions } from '../optim/schedule';
import { ResolvedTrainerOptions, Trainer, TrainerOptions } from './trainer';
import { TRAIN_OPTIONS, libraryDefaults, withDefaults } from './train-options';
import { fixedBatchSize } from './fixed-batch';
import { loadRunCheckpoint } from './checkpoint';
import { EpochRecord, MetricsLog } from './metrics-log';
import { artifactsDataShape, checkValidationRecord, DataShape, prepareRunData, writeValidationRecord } from './run-data';
import { RunContext, finishRun, freshProgress, resumeProgress, trainEpochs } from './run-epochs';

export { limitDataset } from './run-data';

export type LrScheduleKind = 'constant' | 'cosine' | 'step' | 'multistep';

/**
 * Options of `runTraining`. Each defaulted field's default is the option schema's
 * (src/train/train-options.ts, the same as `crsam train`'s flag).
 */
export interface RunOptions {
  /** The forward model (path, bytes, a built Model, or a builder given the training set). Required. */
  readonly model: string | Uint8Array | Model | ((train: Dataset) => Model);
  /** Refuse models whose estimated training memory exceeds this many bytes. Default: 80% of RAM. */
  readonly memoryLimit?: number;
  /** How the model is named in the summary. Required. */
  readonly modelName: string;
  /**
   * Data set name (fashion-mnist, mnist, cifar10, cifar100, idx, synthetic), or your own train/test
   * pair (`Dataset`: bytes 0..255 in CHW order, one uint8 label per image). Default: 'fashion-mnist'.
   */
  readonly dataset?: string | DatasetPair;
  /**
   * Training images held out (class-stratified, seeded) as the validation set that chooses
   * best.ckpt; 0 trains on all of them and writes no best.ckpt. Default: 5000, or a tenth of a
   * training set under 50,000 images.
   */
  readonly valSplit?: number;
  /** Image shape and classes of the synthetic data set (the model's). Default: read from the model when it is not a builder. */
  readonly syntheticShape?: DataShape;
  /** Folder of the data set's files (CIFAR needs one). Default: the packaged data. */
  readonly dataDir?: string;
  /** Use only the first N training images (after the hold-out) of a seeded shuffle (quick runs), in images. Default: all. */
  readonly trainLimit?: number;
  /** Use only the first N test images of a seeded shuffle, in images. Default: all. */
  readonly testLimit?: number;
  /** Trainer settings except model and learning rate (their defaults: `TrainerOptions`). Default: {}. */
  readonly trainer: Omit<TrainerOptions, 'model' | 'schedule' | 'lr'>;
  /** Peak learning rate (per step, no unit). Default: 0.05. */
  readonly lr?: number;
  /** Learning-rate schedule over the run. Default: 'cosine'. */
  readonly lrSchedule?: LrScheduleKind;
  /** Linear warm-up, in epochs. Default: 0. */
  readonly warmupEpochs?: number;
  /** Cosine floor (a learning rate). Default: 0. */
  readonly lrMin?: number;
  /** Epochs at which step/multistep schedules multiply the lr by gamma. Default: none (step: every 30 epochs). */
  readonly milestones?: readonly number[];
  /** Factor of the lr at each milestone. Default: 0.1. */
  readonly gamma?: number;
  /** Training epochs. Default: 5. */
  readonly epochs?: number;
  /** Training batch, in images per step. Default: 128. */
  readonly batchSize?: number;
  /** Evaluation batch (validation and test), in images. Default: 500. */
  readonly evalBatchSize?: number;
  /** Seed of data order and augmentation. Default: 0. */
  readonly seed?: number;
  /** Cutout hole size in pixels (0 off). Default: 0. */
  readonly cutout?: number;
  /** Record ‖g‖, Tr(H), λ_max and C(w) on the validation set (the test set with valSplit 0) every N epochs (0 = off). Default: 0. */
  readonly trackGeometry?: number;
  /** Images used for the geometry figures. Default: 512. */
  readonly geometrySamples?: number;
  /** Output folder. Required. */
  readonly out: string;
  /** Continue the run saved in `out`. Default: false. */
  readonly resume?: boolean;
  /** Replace a run already in `out` (otherwise such a folder is refused). Default: false. */
  readonly overwrite?: boolean;
  /** The command line that started the run, for the run record (run.json). Default: none. */
  readonly commandLine?: readonly string[];
  /** The resolved configuration, saved in checkpoints and the summary. Required. */
  readonly config: Record<string, unknown>;
}

/** RunOptions with every field the option schema has a default for set. */
export type ResolvedRunOptions = RunOptions & Required<Pick<RunOptions,
  'dataset' | 'lr' | 'lrSchedule' | 'warmupEpochs' | 'lrMin' | 'milestones' | 'gamma' | 'epochs' | 'batchSize' | 'evalBatchSize' | 'seed' | 'cutout' | 'trackGeometry' | 'geometrySamples' | 'overwrite'>>;

/** `o` with the option schema's defaults (src/train/train-options.ts) where it leaves a field out. */
export function resolveRunOptions(o: RunOptions): ResolvedRunOptions {
  return withDefaults(o, libraryDefaults('run')) as ResolvedRunOptions;
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
  onStart?(info: {
    trainSize: number; valSize: number; testSize: number; stepsPerEpoch: number; parameters: number; parallel: boolean;
    /** Data-parallel replicas each batch is split across (1: none). */
    replicas: number;
    startEpoch: number;
    /** The options the run uses, defaults filled in (the trainer's in `trainerOptions`). */
    options: ResolvedRunOptions; trainerOptions: ResolvedTrainerOptions;
  }): void;
  onStep?(p: StepProgress): void;
  /** Evaluation progress: `done` of `total` batches of the split (after epoch `epoch`, from 1). */
  onEvaluate?(p: { epoch: number; split: 'val' | 'test'; done: number; total: number }): void;
  onEpoch?(rec: EpochRecord, best: boolean): void;
}

/** Loss and accuracy of a model on the test set. */
export type TestReport = EvalResult;

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

function scheduleFor(o: ResolvedRunOptions, stepsPerEpoch: number): ScheduleOptions {
  const warmupSteps = Math.round(o.warmupEpochs * stepsPerEpoch);
  const total = o.epochs * stepsPerEpoch;
  if (warmupSteps > 0 && warmupSteps >= total) {
    throw new RunError(`the learning-rate warm-up (${o.warmupEpochs} epochs) must end before training does (${o.epochs} epochs); lower --warmup-epochs (warmupEpochs) or raise --epochs`);
  }
  switch (o.lrSchedule) {
    case 'cosine': return { kind: 'cosine', baseLr: o.lr, totalSteps: total, etaMin: o.lrMin, warmupSteps };
    case 'step': return { kind: 'step', baseLr: o.lr, stepSize: (o.milestones[0] ?? 30) * stepsPerEpoch, gamma: o.gamma, warmupSteps };
    case 'multistep': return { kind: 'multistep', baseLr: o.lr, milestones: o.milestones.map((m) => m * stepsPerEpoch), gamma: o.gamma, warmupSteps };
    default: return { kind: 'constant', baseLr: o.lr, warmupSteps };
  }
}

export async function runTraining(options: RunOptions, events: RunEvents = {}, signal?: AbortSignal): Promise<RunSummary> {
  const o = resolveRunOptions(options);
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

async function trainInFolder(o: ResolvedRunOptions, events: RunEvents, signal: AbortSignal | undefined, firstWrite: () => void): Promise<RunSummary> {
  const ckptDir = path.join(o.out, 'checkpoints');
  const lastPath = path.join(ckptDir, 'last.ckpt');
  const bestPath = path.join(ckptDir, 'best.ckpt');
  const preloaded = o.dataset === 'synthetic' && !o.syntheticShape && typeof o.model !== 'function' ? loadForward(o.model) : undefined;
  const data = prepareRunData({ ...o, syntheticShape: o.syntheticShape ?? (preloaded ? modelShape(preloaded) : undefined) }, events.onNote);
  const { train, val, test } = data;
  const evalBatchSize = o.evalBatchSize;
  if (o.resume) checkValidationRecord(o.out, data);

  // The forward model with its initial weights is kept in the run folder: a resumed run, `crsam
  // eval` and `crsam export` of a checkpoint rebuild everything from it.
  const forwardPath = path.join(o.out, 'forward_model.onnx');
  if (o.resume && !fs.existsSync(forwardPath)) throw new RunError(`${o.out} cannot be resumed: its ${forwardPath} is missing`);
  const model = o.resume ? loadModel(forwardPath)
    : typeof o.model === 'function' ? o.model(train) : preloaded ?? loadForward(o.model);
  // A fixed-batch model cannot take a short last training batch, and padding one would change its
  // BatchNorm statistics: drop it, as PyTorch's drop_last does (evaluation pads instead, masked).
  const fixed = fixedBatchSize(model);
  const dropLast = fixed !== undefined && train.length % o.batchSize !== 0;
  if (dropLast && !o.resume) events.onNote?.(`the model has a fixed batch of ${fixed}: each epoch trains on ${Math.floor(train.length / o.batchSize) * o.batchSize} of the ${train.length} training images (the short last batch is dropped)`);
  const loaders = makeLoaders({ train, test: val ?? train }, { batchSize: o.batchSize, evalBatchSize, seed: o.seed, cutout: o.cutout, dropLast });
  const stepsPerEpoch = loaders.train.batchesPerEpoch;
  checkTrainingMemory(model, o.batchSize, o.memoryLimit ?? os.totalmem() * 0.8, o.modelName, { parameterCopies: 8, activationFactor: (o.trainer.parallel ?? TRAIN_OPTIONS.parallel.default) === 'off' ? 3 : 6 });
  checkReplicasFit(o.trainer.dataParallel, o.batchSize);
  const trainer = await Trainer.create({ ...o.trainer, model, schedule: scheduleFor(o, stepsPerEpoch) });
  try {
    checkReplicasFit(trainer.dataParallel, o.batchSize);
    checkCompatible(trainer, train);
    if (trainer.deviceNote) events.onNote?.(trainer.deviceNote);
    for (const w of trainer.artifacts.warnings) events.onNote?.(`warning: ${w}`);
    const recorded = o.resume ? readRecordedConfig(o.out) : {};
    if (o.resume) checkResume(recorded, Object.fromEntries(Object.entries(o.config).filter(([k]) => k in recorded)));
    const resumed = o.resume ? loadRunCheckpoint(lastPath) : undefined;
    if (resumed) checkCheckpointFits(lastPath, resumed, expectedState(trainer));
    // Checkpoints from before data parallelism trained on one replica.
    if (resumed) checkResumeReplicas(o.out, typeof resumed.meta.replicas === 'number' ? resumed.meta.replicas : 1, trainer.dataParallel, trainer.buffers().size > 0);
    firstWrite();
    beginRunFiles({
      out: o.out, resume: !!o.resume, overwrite: !!o.overwrite, config: o.config, recorded, commandLine: o.commandLine, dataset: data.name, train, test,
      threads: o.trainer.threads ?? null, device: trainer.options.device,
      parallelism: { replicas: trainer.dataParallel, devices: o.trainer.devices ? [...o.trainer.devices] : null, concurrent: trainer.parallel, placement: trainer.placement.reason, stepPath: trainer.stepPath },
      fromStep: resumed?.trainer.stepCount ?? 0, fromEpoch: resumed?.epoch ?? 0,
    }, model);
    if (!o.resume) writeValidationRecord(o.out, data, o.seed);
    const c: RunContext = {
      o, events, signal, trainer, loaders, data, stepsPerEpoch, evalBatchSize, lastPath, bestPath,
      log: new MetricsLog(o.out, !!o.resume), progress: freshProgress(o),
    };
    if (resumed) resumeProgress(c, resumed);
    events.onStart?.({ trainSize: train.length, valSize: val?.length ?? 0, testSize: test.length, stepsPerEpoch, parameters: trainer.size, parallel: trainer.parallel, replicas: trainer.dataParallel, startEpoch: c.progress.startEpoch, options: o, trainerOptions: trainer.options });
    return await finishRun(c, await trainEpochs(c));
  } finally {
    await trainer.close();
  }
}

/** Refuses more data-parallel replicas than a batch has images (some would get none). */
function checkReplicasFit(replicas: number | undefined, batchSize: number): void {
  if (replicas !== undefined && replicas > batchSize) {
    throw new RunError(`--data-parallel ${replicas} splits each batch into more replicas than its ${batchSize} images; use at most --data-parallel ${batchSize}, or raise --batch-size`);
  }
}

function loadForward(m: string | Uint8Array | Model): Model {
  return typeof m === 'string' || m instanceof Uint8Array ? loadModel(m) : m;
}

/** The input shape and class count of a forward model, for a synthetic data set that fits it. */
function modelShape(model: Model): DataShape | undefined {
  return artifactsDataShape(buildArtifacts(model));
}

function expectedState(trainer: Trainer): ExpectedState {
  const sizes = (m: Map<string, Float32Array>) => new Map([...m].map(([k, v]) => [k, v.length]));
  return { params: sizes(trainer.parameters()), buffers: sizes(trainer.buffers()), base: trainer.options.base, momentum: trainer.options.momentum, size: trainer.size };
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

