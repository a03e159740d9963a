// The public training API: a model in, CR-SAM (or SAM/ASAM/SGD) steps on ONNX Runtime, an
// inference model out. Builds the training artifacts itself.
import { CrsamError } from '../core/errors';
import { buildArtifacts, TensorSpec, TrainingArtifacts, withValues } from '../autodiff/artifacts';
import { loadModel, saveModel, serializeModel } from '../onnx/io';
import { Model, ValueInfo } from '../onnx/ir';
import { createSchedule, Schedule, ScheduleOptions } from '../optim/schedule';
import { BnUpdatePolicy, CrSamForm, SharpnessMethod, StepMetrics } from '../optim/sharpness';
import { OptimizerState } from '../optim/types';
import { Batch, countCorrect, validateBatch } from '../runtime/batch';
import { Device, resolveDevice, sessionOptions } from '../runtime/execution-providers';
import { EvalSession, EvalResult } from '../runtime/eval-session';
import { OrtGradientOracle } from '../runtime/ort-oracle';
import { ParameterStore } from '../runtime/parameter-store';
import { DEFAULT_WEIGHT_DECAY, TRAIN_OPTIONS, libraryDefaults, withDefaults } from './train-options';
import { ParallelChoice, PassPlacement, placePasses } from '../runtime/pass-placement';
import { OptionError } from '../core/option-error';
import { chooseStepPath, createStepper, DeviceStepChoice, Stepper, StepPath } from './step-path';
import * as os from 'node:os';

export interface TrainerOptions {
  /** The forward model: a path to an .onnx file, its bytes, or a loaded Model. Required. */
  readonly model: string | Uint8Array | Model;
  /** Update rule. Default: 'crsam'. */
  readonly optimizer?: SharpnessMethod;
  /** Base optimizer applying the update. Default: 'sgd'. */
  readonly base?: 'sgd' | 'adamw';
  /** Learning rate when no schedule is given (per step, no unit). Default: 0.05. */
  readonly lr?: number;
  /** Learning-rate schedule over steps; overrides `lr`. Default: constant `lr`. */
  readonly schedule?: ScheduleOptions;
  /** SGD momentum μ. Default: 0.9. */
  readonly momentum?: number;
  /** SGD Nesterov momentum. Default: false. */
  readonly nesterov?: boolean;
  /** Weight decay (coupled for SGD, decoupled for AdamW). Default: 5e-4 for SGD, 0.3 for AdamW. */
  readonly weightDecay?: number;
  /** AdamW β1. Default: 0.9 (AdamW's own). */
  readonly adamBeta1?: number;
  /** AdamW β2. Default: 0.999 (AdamW's own). */
  readonly adamBeta2?: number;
  /** AdamW ε. Default: 1e-8 (AdamW's own). */
  readonly adamEps?: number;
  /** Perturbation radius ρ (SAM/ASAM/CR-SAM), an L2 norm in parameter space. Default: 0.1. */
  readonly rho?: number;
  /** CR-SAM curvature weight α. Default: 0.1. */
  readonly alpha?: number;
  /** CR-SAM slope weight β. Default: 0.01. */
  readonly beta?: number;
  /** CR-SAM combined-gradient form. Default: 'reference' (the authors' release). */
  readonly crsamForm?: CrSamForm;
  /** Which passes update BatchNorm running statistics. Default: 'first'. */
  readonly bnUpdate?: BnUpdatePolicy;
  /** Global gradient-norm clipping of the update gradient (an L2 norm). Default: none. */
  readonly maxGradNorm?: number;
  /** Label smoothing of the cross-entropy, in [0, 1). Default: 0. */
  readonly labelSmoothing?: number;
  /** Initializers to keep fixed. Default: none. */
  readonly frozen?: readonly string[];
  /** Train a model exported in eval mode without warning about it. Default: false. */
  readonly allowEvalExport?: boolean;
  /** Execution provider. Default: 'cpu'. */
  readonly device?: Device;
  /** CUDA device index. Default: 0 (or the first of `devices`). */
  readonly deviceId?: number;
  /**
   * CUDA device indices (`--devices 0,1`); the first holds the main session. With CR-SAM and two
   * devices, w+e runs on the first and w−e on the second; more devices than the method's perturbed
   * passes (2 for CR-SAM, 1 otherwise) make one data-parallel replica per device
   * (docs/pass-placement.md). Refused with the CPU; WebGPU takes only [0]. Default: [deviceId].
   */
  readonly devices?: readonly number[];
  /** CPU threads in all. Default: all cores. */
  readonly threads?: number;
  /**
   * Run sessions side by side in worker threads: CR-SAM's two perturbed passes, or the
   * data-parallel replicas. 'auto' decides per device kind (`PARALLEL_AUTO`: on the CPU from 2
   * cores, on one GPU not until measured, across several GPUs always). Default: 'auto'.
   */
  readonly parallel?: ParallelChoice;
  /**
   * Data-parallel replicas (worker sessions) each batch is split across, in contiguous shards;
   * their gradients are averaged weighted by shard size, so the update is the full batch's, and
   * SAM/CR-SAM perturb along the averaged g0. With BatchNorm each replica normalizes with its own
   * shard's statistics (as PyTorch DDP does) and the running statistics are averaged
   * (docs/scale-out.md). A batch smaller than N uses one replica per sample. Default: one per
   * device when `devices` lists more than the passes use, else 1.
   */
  readonly dataParallel?: number;
  /**
   * Where the parameter-side math of a step runs (perturbation, CR-SAM's combined gradient, norms,
   * the SGD/AdamW update): 'on' in small ONNX graphs on the training session's provider
   * (docs/device-step.md), refused with `maxGradNorm` or a `bnUpdate` other than 'first'; 'off' in
   * JavaScript loops; 'auto' on for the GPU providers (cuda, webgpu) when the options allow it,
   * off on the CPU, where the graphs measured slower than the loops. Both paths write the same
   * checkpoint state. `Trainer.stepPath` says which ran. Default: 'auto'.
   */
  readonly deviceStep?: DeviceStepChoice;
  /** ONNX Runtime graph optimization level. Default: 'all'. */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** The options a trainer runs with: its options with the schema's defaults (src/train/train-options.ts) filled in. */
export type ResolvedTrainerOptions = Omit<TrainerOptions, 'model' | 'schedule'>
  & Required<Pick<TrainerOptions, 'optimizer' | 'base' | 'lr' | 'momentum' | 'nesterov' | 'weightDecay' | 'rho' | 'alpha' | 'beta' | 'crsamForm' | 'bnUpdate' | 'labelSmoothing' | 'allowEvalExport' | 'device' | 'deviceId' | 'parallel' | 'deviceStep'>>;

/** `options` without `model` and `schedule`, every field the option schema has a default for set. */
export function resolveTrainerOptions(options: Omit<TrainerOptions, 'model'>): ResolvedTrainerOptions {
  const rest: { -readonly [K in keyof TrainerOptions]?: TrainerOptions[K] } = { ...options };
  delete rest.model;
  delete rest.schedule;
  const resolved = withDefaults(rest, { ...libraryDefaults('trainer'), lr: TRAIN_OPTIONS.lr.default }) as ResolvedTrainerOptions;
  // The defaults that depend on another option: weight decay on the base optimizer, the main
  // device on `devices`.
  return { ...resolved, weightDecay: options.weightDecay ?? DEFAULT_WEIGHT_DECAY[resolved.base], deviceId: mainDeviceId(options) ?? 0 };
}

/** Everything a checkpoint needs to resume a trainer exactly. */
export interface TrainerState {
  readonly params: Map<string, Float32Array>;
  readonly buffers: Map<string, Float32Array>;
  readonly optimizer: OptimizerState;
  readonly stepCount: number;
}

/** The main session's device: `deviceId`, or the first of `devices` (the two must agree when both are given). */
function mainDeviceId(o: Pick<TrainerOptions, 'devices' | 'deviceId'>): number | undefined {
  if (!o.devices) return o.deviceId;
  if (o.devices.length === 0) throw new OptionError('--devices (devices) needs at least one device index.');
  if (o.deviceId !== undefined && o.deviceId !== o.devices[0]) {
    throw new OptionError(`--device-id ${o.deviceId} and --devices ${o.devices.join(',')} name different main devices; give only --devices (its first entry is the main device).`);
  }
  return o.devices[0];
}

/** The pass placement of a trainer; refuses data parallelism for a model whose batch size is fixed. */
function placementFor(o: Omit<TrainerOptions, 'model'>, kind: 'cpu' | 'cuda' | 'webgpu', deviceId: number, dataInputs: readonly ValueInfo[]): PassPlacement {
  const plan = placePasses({
    method: o.optimizer ?? 'crsam', kind, parallel: o.parallel, dataParallel: o.dataParallel,
    devices: o.devices ?? [kind === 'cpu' ? 0 : deviceId], cores: o.threads || os.availableParallelism(),
  });
  const fixed = dataInputs.map((v) => v.shape?.[0]).find((d): d is number => typeof d === 'number');
  if (plan.replicas > 1 && fixed !== undefined) {
    throw new OptionError(`the model takes batches of exactly ${fixed} samples (a fixed batch dimension), so they cannot be split across ${plan.replicas} data-parallel replicas; export it with a symbolic batch dimension, or train with one replica.`);
  }
  return plan;
}

export class TrainingError extends CrsamError {
  override readonly name = 'TrainingError';
}

/** A step's metrics plus the training accuracy of its pass at w. */
export interface TrainStepMetrics extends StepMetrics {
  /** Samples of the batch whose top class (at w, before the update) was the label. */
  readonly correct: number;
  readonly count: number;
}

export class Trainer {
  /** A note for the user about the device (e.g. 'auto' fell back to the CPU), if any. */
  readonly deviceNote: string | undefined;
  /** Where each pass of each replica runs (docs/pass-placement.md). */
  readonly placement: PassPlacement;
  /** Which code runs the parameter-side math of a step ('device': the step graphs; see `deviceStep`). */
  readonly stepPath: StepPath;
  private readonly bufferBackup: Map<string, Float32Array>;
  /** The step (or evaluation) running now, settled either way; close() waits for it. */
  private inFlight: Promise<void> | undefined;
  private inFlightEval: Promise<void> | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;

  private constructor(
    /** The options this trainer runs with, defaults filled in. */
    readonly options: ResolvedTrainerOptions,
    readonly artifacts: TrainingArtifacts,
    private readonly store: ParameterStore,
    private readonly oracle: OrtGradientOracle,
    private readonly evalSession: EvalSession,
    private readonly stepper: Stepper,
    private readonly releaseStepper: () => Promise<void>,
    private readonly schedule: Schedule,
    note: string | undefined,
    path: StepPath,
  ) {
    this.deviceNote = note;
    this.stepPath = path;
    this.placement = oracle.placement;
    this.bufferBackup = new Map([...store.buffers].map(([k, v]) => [k, new Float32Array(v.length)]));
  }

  static async create(options: TrainerOptions): Promise<Trainer> {
    const model = typeof options.model === 'string' || options.model instanceof Uint8Array ? loadModel(options.model) : options.model;
    const o = resolveTrainerOptions(options);
    const artifacts = buildArtifacts(model, { frozen: o.frozen, labelSmoothing: o.labelSmoothing, allowEvalExport: o.allowEvalExport });
    const store = new ParameterStore(artifacts.params, artifacts.buffers, artifacts.initialValues);
    // Everything that can refuse the options comes before the sessions and workers start.
    const schedule = createSchedule(options.schedule ?? { kind: 'constant', baseLr: o.lr });
    const resolved = resolveDevice(o);
    const placement = placementFor(o, resolved.device, resolved.deviceId, artifacts.dataInputs);
    const sOpts = sessionOptions(o, resolved);
    const path = chooseStepPath(o, resolved.device);
    const { stepper, release } = createStepper(o, path, store.size, sOpts);
    let oracle: OrtGradientOracle;
    try {
      oracle = await OrtGradientOracle.create(serializeModel(artifacts.trainingModel), store.layout(artifacts.trainingContract), store, {
        sessionOptions: sOpts, placement,
      });
    } catch (e) {
      await release();
      throw e;
    }
    let evalSession: EvalSession;
    try {
      evalSession = await EvalSession.create(serializeModel(artifacts.evalModel), sOpts, store.layout(artifacts.evalContract), artifacts.dataInputs);
    } catch (e) {
      // A failed create frees what it started: the training sessions and the step's sessions.
      await oracle.close();
      await release();
      throw e;
    }
    return new Trainer(o, artifacts, store, oracle, evalSession, stepper, release, schedule, resolved.note, path);
  }

  get numClasses(): number { return this.artifacts.numClasses; }
  get dataInputs(): readonly ValueInfo[] { return this.artifacts.dataInputs; }
  get paramSpecs(): readonly TensorSpec[] { return this.artifacts.params; }
  get stepCount(): number { return this.stepper.stepCount; }
  get parallel(): boolean { return this.oracle.parallel; }
  /** Data-parallel replicas each batch is split across (1: none). */
  get dataParallel(): number { return this.placement.replicas; }
  /** Number of trainable scalars. */
  get size(): number { return this.store.size; }

  /** One optimizer step on `batch`; returns the step's metrics. A non-finite loss leaves everything unchanged. */
  async step(batch: Batch): Promise<TrainStepMetrics> {
    // Refused before anything is touched: a step in flight keeps its batch and its state.
    if (this.closing) throw new TrainingError('this trainer is closed; create a new one to train again');
    if (this.inFlight) throw new TrainingError('a step is already running on this trainer; await each step() before starting the next');
    const run = this.runStep(batch);
    this.inFlight = run.then(() => undefined, () => undefined);
    try {
      return await run;
    } finally {
      this.inFlight = undefined;
    }
  }

  private async runStep(batch: Batch): Promise<TrainStepMetrics> {
    validateBatch(batch, this.artifacts.dataInputs, this.artifacts.numClasses);
    this.oracle.setBatch(batch);
    for (const [k, v] of this.store.buffers) (this.bufferBackup.get(k) as Float32Array).set(v);
    const lr = this.schedule(this.stepper.stepCount);
    try {
      const metrics = await this.stepper.step(this.store.flat, this.oracle, lr);
      const logits = this.oracle.lastLogits;
      const correct = logits ? countCorrect(logits, batch.labels, this.artifacts.numClasses) : 0;
      return { ...metrics, correct, count: batch.labels.length };
    } catch (e) {
      for (const [k, v] of this.bufferBackup) this.store.buffers.get(k)?.set(v);
      if (e instanceof Error && (e.name === 'NonFiniteLossError' || e.name === 'NonFiniteGradientError')) {
        throw new TrainingError(`${e.message.replace(/\.$/, '')}; lower the learning rate or ρ`);
      }
      throw e;
    }
  }

  /** Mean loss and accuracy over batches, BatchNorm on running statistics. */
  async evaluate(batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<EvalResult> {
    if (this.closing) throw new TrainingError('this trainer is closed; create a new one to evaluate');
    const run = this.evalSession.evaluate(batches, this.store, this.artifacts.numClasses);
    this.inFlightEval = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Named views of the parameters (writes change the model) plus the BatchNorm buffers. */
  parameters(): Map<string, Float32Array> {
    return this.store.named();
  }

  buffers(): Map<string, Float32Array> {
    return this.store.buffers;
  }

  /** Loads named parameter and/or buffer values. */
  loadParameters(named: ReadonlyMap<string, Float32Array> | Record<string, Float32Array>): void {
    this.store.load(named);
  }

  /** The deployable model: parameters baked in, BatchNorm on running statistics. */
  inferenceModel(): Model {
    return withValues(this.artifacts.inferenceModel, new Map([...this.store.named(), ...this.store.buffers]));
  }

  exportInference(path: string): void {
    saveModel(this.inferenceModel(), path);
  }

  getState(): TrainerState {
    const s = this.stepper.getState();
    return {
      params: new Map([...this.store.named()].map(([k, v]) => [k, Float32Array.from(v)])),
      buffers: new Map([...this.store.buffers].map(([k, v]) => [k, Float32Array.from(v)])),
      optimizer: s.base,
      stepCount: s.stepCount,
    };
  }

  setState(state: TrainerState): void {
    this.store.load(state.params);
    this.store.load(state.buffers);
    this.stepper.setState({ stepCount: state.stepCount, base: state.optimizer });
  }

  /** Waits for a step in flight to finish (its result still goes to its caller), then frees the sessions. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.closed = (async () => {
      await this.inFlight;
      await this.inFlightEval;
      await this.oracle.close();
      await this.evalSession.close();
      await this.releaseStepper();
    })();
    return this.closed;
  }
}
