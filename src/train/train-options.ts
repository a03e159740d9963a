// The one schema of the training options: `crsam train`'s flags, their help and config-file keys
// (src/cli), and the defaults `runTraining` and `Trainer` use when an option is left out. The
// optimizer's own hyper-parameters (ρ, α, β...) are defined in src/optim/sharpness.ts and only
// referred to here. Adding a training option is one entry below (plus its field and JSDoc in
// RunOptions or TrainerOptions); the CLI and the library pick it up from here.
import { OptionSchema, OptionSpec, OptionValue } from '../core/option-schema';
import { DATASET_NAMES, DEFAULT_EVAL_BATCH_SIZE } from '../data';
import { BN_POLICIES, CRSAM_FORMS, SHARPNESS_DEFAULTS, SHARPNESS_METHODS } from '../optim/sharpness';
import type { RunOptions } from './run';
import type { TrainerOptions } from './trainer';

/** The library field an option sets: `run.<RunOptions field>` or `trainer.<TrainerOptions field>`. */
export type LibraryField = `run.${Exclude<keyof RunOptions, 'trainer'> & string}` | `trainer.${keyof TrainerOptions & string}`;

export type TrainOptionSpec = OptionSpec<LibraryField>;

/** The weight decay `Trainer` uses when none is given, by base optimizer (coupled for SGD, decoupled for AdamW). */
export const DEFAULT_WEIGHT_DECAY = { sgd: 5e-4, adamw: 0.3 } as const;

const notSgd = (v: Readonly<Record<string, unknown>>) => v.optimizer !== 'sgd';

export const TRAIN_OPTIONS = {
  // model
  model: { type: 'string', group: 'model', arg: 'MODEL', help: 'an .onnx file or a zoo model name (crsam models lists them)', default: 'resnet-fmnist' },
  'allow-eval-export': { type: 'bool', group: 'model', help: 'do not warn about a model exported in eval mode (BatchNorm folded, Dropout removed)', default: false, library: 'trainer.allowEvalExport' },
  // data
  data: { type: 'string', group: 'data', arg: 'NAME', help: 'data set', choices: DATASET_NAMES, default: 'fashion-mnist', library: 'run.dataset' },
  'data-dir': { type: 'string', group: 'data', arg: 'DIR', help: 'folder with the data set files (required for idx, your own data; for cifar10/cifar100 unless $CRSAM_DATA_DIR has them)', defaultText: 'the packaged data', library: 'run.dataDir' },
  'val-split': { type: 'int', group: 'data', arg: 'N', help: 'training images held out (class-stratified, seeded) to choose best.ckpt; 0 = train on all', defaultText: '5000, or a tenth of a smaller training set', min: 0, library: 'run.valSplit' },
  'train-limit': { type: 'int', group: 'data', arg: 'N', help: 'use only this many training images, after the validation hold-out (a seeded random subset; 0 = all)', default: 0, min: 0, zeroIsUnset: true, library: 'run.trainLimit' },
  'test-limit': { type: 'int', group: 'data', arg: 'N', help: 'use only this many test images (0 = all)', default: 0, min: 0, zeroIsUnset: true, library: 'run.testLimit' },
  cutout: { type: 'int', group: 'data', help: 'Cutout hole size (0 = off; the paper uses 16 on CIFAR)', default: 0, unit: 'pixels', min: 0, library: 'run.cutout' },
  // optimizer
  optimizer: { type: 'string', group: 'optimizer', help: 'update rule', choices: SHARPNESS_METHODS, default: 'crsam', library: 'trainer.optimizer' },
  base: { type: 'string', group: 'optimizer', help: 'base optimizer', choices: ['sgd', 'adamw'], default: 'sgd', library: 'trainer.base' },
  momentum: { type: 'number', group: 'optimizer', help: 'SGD momentum', default: 0.9, min: 0, library: 'trainer.momentum' },
  nesterov: { type: 'bool', group: 'optimizer', help: 'Nesterov momentum (SGD)', default: false, library: 'trainer.nesterov' },
  'weight-decay': { type: 'number', group: 'optimizer', help: 'weight decay (coupled for SGD, decoupled for AdamW)', defaultText: `${DEFAULT_WEIGHT_DECAY.sgd} (SGD) or ${DEFAULT_WEIGHT_DECAY.adamw} (AdamW)`, library: 'trainer.weightDecay' },
  rho: { type: 'number', group: 'optimizer', help: 'SAM/CR-SAM perturbation radius ρ', default: SHARPNESS_DEFAULTS.rho, above: 0, rangeWhen: notSgd, library: 'trainer.rho' },
  alpha: { type: 'number', group: 'optimizer', help: 'CR-SAM curvature weight α', default: SHARPNESS_DEFAULTS.alpha, min: 0, library: 'trainer.alpha' },
  beta: { type: 'number', group: 'optimizer', help: 'CR-SAM slope weight β', default: SHARPNESS_DEFAULTS.beta, min: 0, library: 'trainer.beta' },
  'crsam-form': { type: 'string', group: 'optimizer', help: "CR-SAM combined gradient: the authors' release or the paper's eq. 7", choices: CRSAM_FORMS, default: SHARPNESS_DEFAULTS.crsamForm, library: 'trainer.crsamForm' },
  'bn-update': { type: 'string', group: 'optimizer', help: 'which passes update BatchNorm running statistics', choices: BN_POLICIES, default: SHARPNESS_DEFAULTS.bnUpdate, library: 'trainer.bnUpdate' },
  'max-grad-norm': { type: 'number', group: 'optimizer', help: 'clip the update gradient to this global norm', defaultText: 'off', library: 'trainer.maxGradNorm' },
  'label-smoothing': { type: 'number', group: 'optimizer', help: 'label smoothing of the loss, in [0, 1)', default: 0, min: 0, below: 1, library: 'trainer.labelSmoothing' },
  // schedule
  lr: { type: 'number', group: 'schedule', help: 'peak learning rate', default: 0.05, above: 0, library: 'run.lr' },
  schedule: { type: 'string', group: 'schedule', help: 'learning-rate schedule', choices: ['cosine', 'constant', 'step', 'multistep'], default: 'cosine', library: 'run.lrSchedule' },
  'warmup-epochs': { type: 'number', group: 'schedule', help: 'linear warm-up', default: 0, unit: 'epochs', min: 0, library: 'run.warmupEpochs' },
  'lr-min': { type: 'number', group: 'schedule', help: 'final learning rate of the cosine schedule', default: 0, min: 0, library: 'run.lrMin' },
  milestones: { type: 'list', group: 'schedule', items: 'number', arg: 'E1,E2', help: 'epochs where step/multistep multiply the lr by --gamma', default: [], library: 'run.milestones' },
  gamma: { type: 'number', group: 'schedule', help: 'lr factor at each milestone', default: 0.1, library: 'run.gamma' },
  // run
  epochs: { type: 'int', group: 'run', resumeSafe: true, help: 'training epochs', default: 5, above: 0, library: 'run.epochs' },
  'batch-size': { type: 'int', group: 'run', help: 'images per step', default: 128, above: 0, library: 'run.batchSize' },
  'eval-batch-size': { type: 'int', group: 'run', help: 'images per evaluation batch', default: DEFAULT_EVAL_BATCH_SIZE, above: 0, library: 'run.evalBatchSize' },
  seed: { type: 'int', group: 'run', help: 'seed of the model initialization, data order and augmentation', default: 0, library: 'run.seed' },
  'track-geometry': { type: 'int', group: 'run', arg: 'N', help: 'every N epochs record ‖g‖, Tr(H), λ_max and C(w) on --geometry-samples validation images (test images with --val-split 0) into the metrics (0 = off)', default: 0, min: 0, library: 'run.trackGeometry' },
  'geometry-samples': { type: 'int', group: 'run', help: 'images used by --track-geometry', default: 512, min: 0, library: 'run.geometrySamples' },
  // output
  out: { type: 'string', group: 'output', resumeSafe: true, alias: 'o', arg: 'DIR', help: 'output folder (model, metrics, plots, checkpoints)', defaultText: 'a new folder runs/<model>-<optimizer>-<yyyymmdd-hhmmss>, with runs/latest linked to it' },
  overwrite: { type: 'bool', group: 'output', resumeSafe: true, help: 'replace the run already in --out (without it, such a folder is refused)', default: false, library: 'run.overwrite' },
  // device
  device: { type: 'string', group: 'device', resumeSafe: true, help: "execution provider ('auto': CUDA when installed, else CPU; 'webgpu': ORT's Dawn provider)", choices: ['cpu', 'cuda', 'webgpu', 'auto'], default: 'cpu', library: 'trainer.device' },
  'device-id': { type: 'int', group: 'device', resumeSafe: true, help: 'CUDA device index', defaultText: '0, or the first of --devices', min: 0, library: 'trainer.deviceId' },
  threads: { type: 'int', group: 'device', resumeSafe: true, help: 'CPU threads in all (0 = all cores)', default: 0, min: 0, zeroIsUnset: true, library: 'trainer.threads' },
  parallel: { type: 'string', group: 'device', resumeSafe: true, help: "run CR-SAM's w+e and w−e passes, or the data-parallel replicas, side by side in worker threads ('auto': on the CPU from 2 cores, on one GPU not until measured, across GPUs always)", choices: ['auto', 'on', 'off'], default: 'auto', library: 'trainer.parallel' },
  // Both step paths read and write the same checkpoint state, so a resumed run may change it.
  'device-step': { type: 'string', group: 'device', resumeSafe: true, help: "run the step's parameter math (perturbation, CR-SAM gradient, SGD/AdamW update) as ONNX graphs on the provider ('auto': on for cuda/webgpu, off on the CPU, where it measured slower; 'on' refuses --max-grad-norm and --bn-update other than first)", choices: ['auto', 'on', 'off'], default: 'auto', library: 'trainer.deviceStep' },
  // A replica count changes only float rounding without BatchNorm, the math with it: it passes the
  // resume check here, and checkResumeReplicas (resume-policy.ts) refuses it for a BatchNorm model.
  'data-parallel': { type: 'int', group: 'device', resumeSafe: true, arg: 'N', help: 'split each batch across N replicas (worker sessions) and average their gradients weighted by shard size', defaultText: 'one replica per --devices entry when there are more than the perturbed passes, else 1', min: 1, library: 'trainer.dataParallel' },
  devices: { type: 'string', group: 'device', resumeSafe: true, arg: 'LIST', help: "CUDA device indices such as 0,1: CR-SAM's w+e on the first, w−e on the second; more devices than the perturbed passes (2 for CR-SAM, 1 otherwise) give one data-parallel replica each", defaultText: 'the --device-id device' },
  // config
  preset: { type: 'string', group: 'config', arg: 'NAME', help: "start from the paper's settings for a data set and model (presets/*.json; 'crsam compare --preset list' lists them); --config and flags override it" },
  config: { type: 'string', group: 'config', resumeSafe: true, arg: 'FILE', help: 'JSON file of flag values (keys as flag names); flags on the command line override it' },
  resume: { type: 'string', group: 'config', resumeSafe: true, arg: 'DIR', help: 'continue the run saved in DIR with its saved config; only --epochs (to extend it), --threads, --device, --device-id, --parallel and --device-step may change, and --data-parallel and --devices for a model without BatchNorm' },
} as const satisfies OptionSchema<LibraryField>;

/** The library's value of a command-line value: 0 → unset where 0 means "unset", numeric lists → numbers. */
function libraryValue(name: string, spec: TrainOptionSpec, value: OptionValue | undefined, problem: (m: string) => Error): unknown {
  if (value === undefined || (spec.zeroIsUnset && value === 0)) return undefined;
  if (spec.items === 'number' && Array.isArray(value)) {
    return value.map((m) => { const n = Number(m); if (m.trim() === '' || !Number.isFinite(n)) throw problem(`--${name} takes numbers, not '${m}'`); return n; });
  }
  return value;
}

/**
 * The RunOptions and TrainerOptions fields set by option values (flag names as keys): every schema
 * entry with a library field, so a new option needs no code here.
 */
export function libraryOptionsFrom(values: Readonly<Record<string, OptionValue | undefined>>, problem: (m: string) => Error): { run: Record<string, unknown>; trainer: Record<string, unknown> } {
  const run: Record<string, unknown> = {};
  const trainer: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(TRAIN_OPTIONS) as [string, TrainOptionSpec][]) {
    if (!spec.library) continue;
    const v = libraryValue(name, spec, values[name], problem);
    if (v === undefined) continue;
    const [where, field] = spec.library.split('.');
    (where === 'run' ? run : trainer)[field] = v;
  }
  return { run, trainer };
}

/** The defaults of the options that set `where`'s fields (RunOptions or TrainerOptions), by field name. */
export function libraryDefaults(where: 'run' | 'trainer'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of Object.values(TRAIN_OPTIONS) as TrainOptionSpec[]) {
    if (!spec.library || spec.default === undefined || (spec.zeroIsUnset && spec.default === 0)) continue;
    const [w, field] = spec.library.split('.');
    if (w === where) out[field] = spec.items === 'number' && Array.isArray(spec.default) ? spec.default.map(Number) : spec.default;
  }
  return out;
}

/** `o` with `defaults` where it leaves a field out (or sets it to undefined). */
export function withDefaults<T extends object>(o: T, defaults: Readonly<Record<string, unknown>>): T {
  const given = o as Readonly<Record<string, unknown>>;
  return { ...o, ...Object.fromEntries(Object.entries(defaults).filter(([k]) => given[k] === undefined)) };
}

/**
 * Config keys a resumed run may change (the entries marked resumeSafe: --epochs to extend the run,
 * and the execution settings), plus keys older runs recorded ('progress', 'quiet').
 */
export const RESUME_SAFE_OPTIONS: ReadonlySet<string> = new Set([
  ...Object.entries(TRAIN_OPTIONS as Readonly<Record<string, TrainOptionSpec>>).filter(([, spec]) => spec.resumeSafe).map(([name]) => name),
  'progress', 'quiet',
]);
