// `crsam train`: the main job. Flags override a JSON config file; progress goes to the terminal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASET_NAMES } from '../data';
import { formatGeometryMetrics } from '../train/geometry-tracker';
import { loadPreset, presetFlags } from '../train/presets';
import { batchSizesFor } from '../train/fixed-batch';
import { checkModelSpec, isZooName, resolveModel, zooModelShape } from '../train/model-source';
import { loadModel } from '../onnx/io';
import { Model } from '../onnx/ir';
import { LrScheduleKind, RunOptions, runTraining } from '../train/run';
import { CommandSpec, FlagSpec, Parsed, ParsedValue, UsageError, convert } from './args';
import { ProgressBar } from './progress';
import { readRegularFile } from '../core/safe-fs';
import { parseDevices } from '../runtime/pass-placement';

/** A config file holds a few flags; anything larger is not one (and is not read into memory). */
const MAX_CONFIG_BYTES = 1 << 20;
import { handleStopSignals } from './stop-signals';
import { AtomicWriteError } from '../core/atomic-file';
import { checkResume, readRecordedConfig } from '../train/resume-policy';
import { newRunFolder, updateLatestLink } from '../train/run-folder';

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', arg: 'MODEL', help: 'an .onnx file or a zoo model name (crsam models lists them)', default: 'resnet-fmnist' },
  data: { type: 'string', arg: 'NAME', help: 'data set', choices: DATASET_NAMES, default: 'fashion-mnist' },
  'data-dir': { type: 'string', arg: 'DIR', help: 'folder with the data set files (required for idx, your own data; for cifar10/cifar100 unless $CRSAM_DATA_DIR has them)' },
  'val-split': { type: 'int', arg: 'N', help: 'training images held out (class-stratified, seeded) to choose best.ckpt; 0 = train on all (default: 5000, or a tenth of a smaller training set)' },
  optimizer: { type: 'string', help: 'update rule', choices: ['sgd', 'sam', 'asam', 'crsam'], default: 'crsam' },
  base: { type: 'string', help: 'base optimizer', choices: ['sgd', 'adamw'], default: 'sgd' },
  lr: { type: 'number', help: 'peak learning rate', default: 0.05 },
  schedule: { type: 'string', help: 'learning-rate schedule', choices: ['cosine', 'constant', 'step', 'multistep'], default: 'cosine' },
  'warmup-epochs': { type: 'number', help: 'linear warm-up, in epochs', default: 0 },
  'lr-min': { type: 'number', help: 'final learning rate of the cosine schedule', default: 0 },
  milestones: { type: 'list', arg: 'E1,E2', help: 'epochs where step/multistep multiply the lr by --gamma', default: [] },
  gamma: { type: 'number', help: 'lr factor at each milestone', default: 0.1 },
  momentum: { type: 'number', help: 'SGD momentum', default: 0.9 },
  nesterov: { type: 'bool', help: 'Nesterov momentum (SGD)', default: false },
  'weight-decay': { type: 'number', help: 'weight decay (coupled for SGD, decoupled for AdamW); default 5e-4 (SGD) or 0.3 (AdamW)' },
  rho: { type: 'number', help: 'SAM/CR-SAM perturbation radius ρ', default: 0.1 },
  alpha: { type: 'number', help: 'CR-SAM curvature weight α', default: 0.1 },
  beta: { type: 'number', help: 'CR-SAM slope weight β', default: 0.01 },
  'crsam-form': { type: 'string', help: "CR-SAM combined gradient: the authors' release or the paper's eq. 7", choices: ['reference', 'paper'], default: 'reference' },
  'bn-update': { type: 'string', help: 'which passes update BatchNorm running statistics', choices: ['first', 'all', 'first-and-minus'], default: 'first' },
  'allow-eval-export': { type: 'bool', help: 'do not warn about a model exported in eval mode (BatchNorm folded, Dropout removed)', default: false },
  'max-grad-norm': { type: 'number', help: 'clip the update gradient to this global norm (off when unset)' },
  epochs: { type: 'int', help: 'training epochs', default: 5 },
  'batch-size': { type: 'int', help: 'images per step', default: 128 },
  'eval-batch-size': { type: 'int', help: 'images per evaluation batch', default: 500 },
  'label-smoothing': { type: 'number', help: 'label smoothing of the loss, in [0, 1)', default: 0 },
  cutout: { type: 'int', help: 'Cutout hole size in pixels (0 = off; the paper uses 16 on CIFAR)', default: 0 },
  seed: { type: 'int', help: 'seed of the model initialization, data order and augmentation', default: 0 },
  'train-limit': { type: 'int', help: 'use only this many training images, after the validation hold-out (a seeded random subset; 0 = all)', default: 0 },
  'test-limit': { type: 'int', help: 'use only this many test images (0 = all)', default: 0 },
  device: { type: 'string', help: "execution provider ('auto': CUDA when installed, else CPU; 'webgpu': ORT's Dawn provider)", choices: ['cpu', 'cuda', 'webgpu', 'auto'], default: 'cpu' },
  'device-id': { type: 'int', help: 'CUDA device index', default: 0 },
  threads: { type: 'int', help: 'CPU threads in all (0 = all cores)', default: 0 },
  parallel: { type: 'string', help: "run CR-SAM's w+e and w−e passes, or the data-parallel replicas, side by side in worker threads ('auto': on the CPU from 2 cores, on one GPU not until measured, across GPUs always)", choices: ['auto', 'on', 'off'], default: 'auto' },
  'data-parallel': { type: 'int', arg: 'N', help: 'split each batch across N replicas (worker sessions) and average their gradients weighted by shard size (default: one replica per --devices entry when there are more than the perturbed passes, else 1)' },
  devices: { type: 'string', arg: 'LIST', help: "CUDA device indices such as 0,1: CR-SAM's w+e on the first, w−e on the second; more devices than the perturbed passes (2 for CR-SAM, 1 otherwise) give one data-parallel replica each" },
  'track-geometry': { type: 'int', arg: 'N', help: 'every N epochs record ‖g‖, Tr(H), λ_max and C(w) on --geometry-samples validation images (test images with --val-split 0) into the metrics (0 = off)', default: 0 },
  'geometry-samples': { type: 'int', help: 'images used by --track-geometry', default: 512 },
  out: { type: 'string', alias: 'o', arg: 'DIR', help: 'output folder (model, metrics, plots, checkpoints); default: a new folder runs/<model>-<optimizer>-<yyyymmdd-hhmmss>, with runs/latest linked to it', },
  overwrite: { type: 'bool', help: 'replace the run already in --out (without it, such a folder is refused)', default: false },
  preset: { type: 'string', arg: 'NAME', help: "start from the paper's settings for a data set and model (presets/*.json; 'crsam compare --preset list' lists them); --config and flags override it" },
  config: { type: 'string', arg: 'FILE', help: 'JSON file of flag values (keys as flag names); flags on the command line override it' },
  resume: { type: 'string', arg: 'DIR', help: 'continue the run saved in DIR with its saved config; only --epochs (to extend it), --threads, --device, --device-id and --parallel may change, and --data-parallel and --devices for a model without BatchNorm' },
};

export const trainSpec: CommandSpec = {
  name: 'train',
  summary: 'train a model with CR-SAM (or SAM, ASAM, SGD) and export it for deployment',
  usage: 'crsam train [--model resnet-fmnist|model.onnx] [--data fashion-mnist] [--optimizer crsam] [--epochs 5] [--out DIR] [...]',
  flags: FLAGS,
};

/** Flags merged over a config file (and over a resumed run's saved config). */
export function mergeConfig(args: Parsed): Record<string, ParsedValue> {
  const merged: Record<string, ParsedValue> = { ...args.flags };
  const apply = (obj: Record<string, unknown>, source: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const spec = FLAGS[k];
      if (!spec) throw new UsageError(`${source} has the key '${k}', which is not a flag of 'crsam train'; run 'crsam train --help'`);
      if (args.given.has(k) || k === 'resume' || k === 'config' || k === 'overwrite') continue;
      merged[k] = configValue(source, k, spec, v);
      if (spec.type === 'int' && !Number.isInteger(merged[k])) throw new UsageError(`${source}: '${k}' must be a whole number`);
      if (spec.choices && !spec.choices.includes(String(merged[k]))) throw new UsageError(`${source}: '${k}' must be one of ${spec.choices.join(', ')}`);
    }
  };
  const resume = args.flags.resume as string | undefined;
  if (resume) {
    const file = path.join(resume, 'run-config.json');
    if (!fs.existsSync(file)) throw new UsageError(`nothing to resume in ${resume}: ${file} does not exist`);
    for (const k of ['config', 'preset', 'out', 'overwrite']) {
      if (args.given.has(k)) throw new UsageError(`--${k} cannot be combined with --resume: a resumed run keeps its folder and the config in ${file}`);
    }
    const recorded = readRecordedConfig(resume);
    // Refused before anything else: a resume continues the same run.
    checkResume(resume, recorded, Object.fromEntries([...args.given].map((k) => [k, args.flags[k]])));
    apply(recorded, file);
    merged.out = resume;
  } else {
    const config = args.flags.config ? readConfigFile(args.flags.config as string, args) : undefined;
    if (args.flags.preset) {
      // Under the config file and the flags: a preset is where a run starts, not what it must be.
      const preset = loadPreset(args.flags.preset as string);
      const optimizer = String(args.given.has('optimizer') ? args.flags.optimizer : config?.optimizer ?? args.flags.optimizer);
      apply(presetFlags(preset, optimizer), `the preset ${preset.name}`);
    }
    if (config) apply(config, args.flags.config as string);
  }
  return merged;
}

/** The JSON object of flag values in a config file (`out` dropped when --out is given). */
function readConfigFile(file: string, args: Parsed): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new UsageError(`the config file ${file} does not exist`);
  const text = readRegularFile(file, 'the config file', (m) => new UsageError(m), MAX_CONFIG_BYTES).toString('utf8');
  let obj: unknown;
  try { obj = JSON.parse(text); } catch { throw new UsageError(`the config file ${file} is not valid JSON`); }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new UsageError(`the config file ${file} must hold a JSON object of flag values`);
  if ('out' in obj && args.given.has('out')) delete (obj as Record<string, unknown>).out;
  return obj as Record<string, unknown>;
}

/** A config-file value as the flag would have parsed it, or one sentence saying what type it needs. */
function configValue(source: string, k: string, spec: FlagSpec, v: unknown): ParsedValue {
  if (typeof v === 'string' && spec.type !== 'list') return convert(k, spec, v);
  const need = { string: 'a string', number: 'a number', int: 'a whole number', bool: 'true or false', list: 'a list (e.g. [30, 60])' }[spec.type];
  const ok = spec.type === 'number' || spec.type === 'int' ? typeof v === 'number' && Number.isFinite(v)
    : spec.type === 'bool' ? typeof v === 'boolean'
      : spec.type === 'list' ? Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') || typeof v === 'string'
        : false;
  if (!ok) throw new UsageError(`${source}: '${k}' must be ${need}, not ${JSON.stringify(v) ?? String(v)}`);
  if (spec.type === 'list') return typeof v === 'string' ? convert(k, spec, v) : (v as unknown[]).map(String);
  return v as ParsedValue;
}

function check(c: Record<string, ParsedValue>): void {
  const pos = (k: string) => { if (!((c[k] as number) > 0)) throw new UsageError(`--${k} must be above 0, got ${String(c[k])}`); };
  ['lr', 'epochs', 'batch-size', 'eval-batch-size'].forEach(pos);
  if (c.optimizer !== 'sgd') pos('rho');
  for (const k of ['alpha', 'beta', 'momentum', 'val-split', 'train-limit', 'test-limit', 'threads', 'cutout', 'warmup-epochs', 'lr-min', 'track-geometry', 'geometry-samples']) {
    if ((c[k] as number) < 0) throw new UsageError(`--${k} must not be negative, got ${String(c[k])}`);
  }
  const dp = c['data-parallel'] as number | undefined;
  if (dp !== undefined && dp < 1) throw new UsageError(`--data-parallel must be at least 1 (one replica), got ${dp}`);
  if (dp !== undefined && dp > (c['batch-size'] as number)) throw new UsageError(`--data-parallel ${dp} is more replicas than the ${String(c['batch-size'])} images of a batch; use at most --batch-size replicas`);
  if (c.devices !== undefined) {
    if (c.device === 'cpu') throw new UsageError('--devices applies to --device cuda; on the CPU use --data-parallel N to split batches across replicas');
    parseDevices(c.devices as string);
    if (c['device-id'] !== FLAGS['device-id'].default) throw new UsageError('--device-id and --devices both name the main device; give only --devices (its first entry is the main device)');
  }
  const ls = c['label-smoothing'] as number;
  if (!(ls >= 0 && ls < 1)) throw new UsageError(`--label-smoothing must be in [0, 1), got ${ls}`);
}

export async function runTrain(args: Parsed, print: (line: string) => void): Promise<number> {
  const c = mergeConfig(args);
  check(c);
  const preloaded = args.flags.resume ? undefined : preloadFileModel(c, args.given, print);
  const resume = !!args.flags.resume;
  const modelSpec = c.model as string;
  if (!resume) checkModelSpec(modelSpec);
  // Without --out, every run gets a new folder (runs/latest is linked to it once it starts).
  const fresh = !resume && c.out === undefined;
  const out = fresh ? newRunFolder('runs', modelSpec, c.optimizer as string) : c.out as string;
  const saved = Object.fromEntries(Object.entries({ ...c, out }).filter(([k, v]) => v !== undefined && k !== 'resume' && k !== 'config' && k !== 'overwrite'));
  const seed = c.seed as number;
  const zooShape = c.data === 'synthetic' && isZooName(modelSpec) ? zooModelShape(modelSpec) : undefined;
  const opts: RunOptions = {
    model: (train) => preloaded ?? resolveModel(modelSpec, { channels: train.channels, height: train.height, numClasses: train.numClasses }, seed),
    modelName: path.basename(modelSpec),
    dataset: c.data as string,
    dataDir: c['data-dir'] as string | undefined,
    ...(c['val-split'] !== undefined ? { valSplit: c['val-split'] as number } : {}),
    ...(zooShape ? { syntheticShape: zooShape } : {}),
    trainLimit: (c['train-limit'] as number) || undefined,
    testLimit: (c['test-limit'] as number) || undefined,
    trainer: {
      optimizer: c.optimizer as 'crsam', base: c.base as 'sgd', momentum: c.momentum as number, nesterov: c.nesterov as boolean,
      weightDecay: c['weight-decay'] as number | undefined, rho: c.rho as number, alpha: c.alpha as number, beta: c.beta as number,
      crsamForm: c['crsam-form'] as 'reference', bnUpdate: c['bn-update'] as 'first', maxGradNorm: c['max-grad-norm'] as number | undefined,
      labelSmoothing: c['label-smoothing'] as number, device: c.device as 'cpu',
      ...(c.devices !== undefined ? { devices: parseDevices(c.devices as string) } : { deviceId: c['device-id'] as number }),
      threads: (c.threads as number) || undefined, parallel: c.parallel as 'auto', dataParallel: c['data-parallel'] as number | undefined,
      allowEvalExport: c['allow-eval-export'] as boolean,
    },
    lr: c.lr as number,
    lrSchedule: c.schedule as LrScheduleKind,
    warmupEpochs: c['warmup-epochs'] as number,
    lrMin: c['lr-min'] as number,
    milestones: (c.milestones as string[]).map((m) => { const n = Number(m); if (!Number.isFinite(n)) throw new UsageError(`--milestones takes epoch numbers, not '${m}'`); return n; }),
    gamma: c.gamma as number,
    epochs: c.epochs as number,
    batchSize: c['batch-size'] as number,
    evalBatchSize: c['eval-batch-size'] as number,
    seed,
    cutout: c.cutout as number,
    trackGeometry: c['track-geometry'] as number,
    geometrySamples: c['geometry-samples'] as number,
    out,
    resume,
    overwrite: c.overwrite as boolean,
    commandLine: process.argv.slice(1),
    config: saved,
  };
  const controller = new AbortController();
  const signals = handleStopSignals(controller);
  const bar = new ProgressBar(process.stderr);
  let started = false;
  try {
    const summary = await runTraining(opts, {
      onNote: (m) => { bar.clear(); print(m); },
      onStart: (i) => {
        started = true;
        if (fresh && !updateLatestLink('runs', out)) print(`note: runs/latest is not a link crsam made, so it was left as it is; this run is in ${out}`);
        print(`training ${opts.modelName} (${i.parameters.toLocaleString('en-US')} parameters) on ${String(opts.dataset)}: ${i.trainSize} train / ${i.valSize} validation / ${i.testSize} test images, ${i.stepsPerEpoch} steps per epoch, ${c.optimizer}${i.replicas > 1 ? ` on ${i.replicas} data-parallel replicas${i.parallel ? '' : ' one after the other'}` : i.parallel && c.optimizer === 'crsam' ? ' with parallel passes' : ''}, in ${out}`);
      },
      onStep: (p) => bar.update(`epoch ${p.epoch}/${p.epochs}`, p.batch / p.batches, `loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}% ${Math.round(p.imagesPerSecond)} img/s lr ${p.lr.toPrecision(3)}`),
      onEvaluate: (e) => bar.update(e.split === 'val' ? `epoch ${e.epoch}: validating` : 'testing', e.done / e.total, `${e.done}/${e.total} batches`),
      onEpoch: (r, best) => {
        bar.clear();
        const val = Number.isFinite(r.valLoss) ? ` | val loss ${r.valLoss.toFixed(4)} acc ${(100 * r.valAccuracy).toFixed(2)}%${best ? ' (best)' : ''}` : '';
        print(`epoch ${r.epoch}/${opts.epochs}: train loss ${r.trainLoss.toFixed(4)} acc ${(100 * r.trainAccuracy).toFixed(2)}%${val} | ${r.seconds.toFixed(1)} s, ${Math.round(r.imagesPerSecond)} img/s`);
        const geo = formatGeometryMetrics(r.extra);
        if (geo) print(`  ${geo}`);
      },
    }, controller.signal);
    bar.clear();
    if (summary.stopped) {
      const last = summary.files.lastCheckpoint;
      const where = fs.existsSync(last) ? `its last good checkpoint is ${last}` : 'no checkpoint was saved yet (it stopped in its first epoch)';
      process.stderr.write(`crsam: ${summary.stopped}; the run stopped, ${where}\n`);
      return 1;
    }
    if (summary.interrupted) {
      print(`interrupted${signals.received() ? ` by ${signals.received()}` : ''}: checkpoint saved to ${summary.files.lastCheckpoint}; continue with: crsam train --resume ${out}`);
      return signals.exitCode();
    }
    const t = summary.test;
    if (t) print(`test accuracy: final model ${(100 * t.final.accuracy).toFixed(2)}% (epoch ${opts.epochs})${t.best ? `, best by validation ${(100 * t.best.accuracy).toFixed(2)}% (epoch ${summary.bestEpoch}, val ${(100 * summary.bestValAccuracy).toFixed(2)}%)` : ''} on ${t.final.count} test images`);
    print(`model:   ${summary.files.model}`);
    print(`metrics: ${summary.files.metrics}, ${summary.files.csv}, ${summary.files.summary}`);
    print(`plots:   ${summary.files.curvesPng}, ${summary.files.curvesSvg}`);
    print(`checkpoints: ${[summary.files.lastCheckpoint, summary.files.bestCheckpoint].filter(Boolean).join(', ')}`);
    return 0;
  } catch (e) {
    // A folder made for this run and left empty (it failed its checks) goes again.
    if (fresh && !started) try { fs.rmdirSync(out); } catch { /* not empty: keep it */ }
    if (e instanceof AtomicWriteError && (e.code === 'ENOSPC' || e.code === 'EDQUOT') && started && fs.existsSync(path.join(out, 'checkpoints', 'last.ckpt'))) {
      throw new AtomicWriteError(`${e.message.replace(/; free some space and try again$/, '')}; free some space and continue with: crsam train --resume ${out}`, e.file, e.code);
    }
    throw e;
  } finally {
    bar.clear();
    signals.dispose();
  }
}

/**
 * Loads an .onnx model file before anything is written, so a fixed-batch model sets the batch
 * sizes (where the user chose none) or refuses conflicting ones while the run folder is untouched.
 */
function preloadFileModel(c: Record<string, ParsedValue>, given: ReadonlySet<string>, print: (line: string) => void): Model | undefined {
  const spec = c.model as string;
  if (isZooName(spec)) return undefined;
  checkModelSpec(spec);
  const model = loadModel(spec);
  const chosen = (k: string) => given.has(k) || c[k] !== FLAGS[k].default;
  const sizes = batchSizesFor(model, {
    batchSize: c['batch-size'] as number, evalBatchSize: c['eval-batch-size'] as number,
    batchSizeGiven: chosen('batch-size'), evalBatchSizeGiven: chosen('eval-batch-size'),
  });
  c['batch-size'] = sizes.batchSize;
  c['eval-batch-size'] = sizes.evalBatchSize;
  if (sizes.note) print(sizes.note);
  return model;
}
