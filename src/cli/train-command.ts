// `crsam train`: the main job. Flags override a JSON config file; progress goes to the terminal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASET_NAMES } from '../data';
import { formatGeometryMetrics } from '../geometry';
import { checkModelSpec, resolveModel } from '../train/model-source';
import { LrScheduleKind, RunOptions, runTraining } from '../train/run';
import { CommandSpec, FlagSpec, Parsed, ParsedValue, UsageError, convert } from './args';
import { ProgressBar } from './progress';
import { makeOutputDirectory, readRegularFile } from '../core/safe-fs';

/** A config file holds a few flags; anything larger is not one (and is not read into memory). */
const MAX_CONFIG_BYTES = 1 << 20;

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', arg: 'MODEL', help: 'an .onnx file or a zoo model name (crsam models lists them)', default: 'resnet-fmnist' },
  data: { type: 'string', arg: 'NAME', help: 'data set', choices: DATASET_NAMES, default: 'fashion-mnist' },
  'data-dir': { type: 'string', arg: 'DIR', help: 'folder with the data set files (required for cifar10/cifar100)' },
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
  'max-grad-norm': { type: 'number', help: 'clip the update gradient to this global norm (off when unset)' },
  epochs: { type: 'int', help: 'training epochs', default: 5 },
  'batch-size': { type: 'int', help: 'images per step', default: 128 },
  'eval-batch-size': { type: 'int', help: 'images per evaluation batch', default: 500 },
  'label-smoothing': { type: 'number', help: 'label smoothing of the loss, in [0, 1)', default: 0 },
  cutout: { type: 'int', help: 'Cutout hole size in pixels (0 = off; the paper uses 16 on CIFAR)', default: 0 },
  seed: { type: 'int', help: 'seed of the model initialization, data order and augmentation', default: 0 },
  'train-limit': { type: 'int', help: 'use only this many training images (a seeded random subset; 0 = all)', default: 0 },
  'test-limit': { type: 'int', help: 'use only this many test images (0 = all)', default: 0 },
  device: { type: 'string', help: "execution provider ('auto': CUDA when installed, else CPU; 'webgpu': ORT's Dawn provider)", choices: ['cpu', 'cuda', 'webgpu', 'auto'], default: 'cpu' },
  'device-id': { type: 'int', help: 'CUDA device index', default: 0 },
  threads: { type: 'int', help: 'CPU threads in all (0 = all cores)', default: 0 },
  parallel: { type: 'string', help: "run CR-SAM's w+e and w−e passes side by side in worker threads", choices: ['auto', 'off'], default: 'auto' },
  'track-geometry': { type: 'int', arg: 'N', help: 'every N epochs record ‖g‖, Tr(H), λ_max and C(w) on --geometry-samples test images into the metrics (0 = off)', default: 0 },
  'geometry-samples': { type: 'int', help: 'test images used by --track-geometry', default: 512 },
  out: { type: 'string', alias: 'o', arg: 'DIR', help: 'output folder (model, metrics, plots, checkpoints)', default: 'runs/latest' },
  config: { type: 'string', arg: 'FILE', help: 'JSON file of flag values (keys as flag names); flags on the command line override it' },
  resume: { type: 'string', arg: 'DIR', help: 'continue the run saved in DIR (uses its saved config; --epochs may extend it)' },
};

export const trainSpec: CommandSpec = {
  name: 'train',
  summary: 'train a model with CR-SAM (or SAM, ASAM, SGD) and export it for deployment',
  usage: 'crsam train [--model resnet-fmnist|model.onnx] [--data fashion-mnist] [--optimizer crsam] [--epochs 5] [--out runs/latest] [...]',
  flags: FLAGS,
};

/** Flags merged over a config file (and over a resumed run's saved config). */
export function mergeConfig(args: Parsed): Record<string, ParsedValue> {
  const merged: Record<string, ParsedValue> = { ...args.flags };
  const apply = (obj: Record<string, unknown>, source: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const spec = FLAGS[k];
      if (!spec) throw new UsageError(`${source} has the key '${k}', which is not a flag of 'crsam train'; run 'crsam train --help'`);
      if (args.given.has(k) || k === 'resume' || k === 'config') continue;
      merged[k] = typeof v === 'string' ? convert(k, spec, v) : Array.isArray(v) ? v.map(String) : (v as ParsedValue);
      if (spec.type === 'int' && !Number.isInteger(merged[k])) throw new UsageError(`${source}: '${k}' must be a whole number`);
      if (spec.choices && !spec.choices.includes(String(merged[k]))) throw new UsageError(`${source}: '${k}' must be one of ${spec.choices.join(', ')}`);
    }
  };
  const resume = args.flags.resume as string | undefined;
  if (resume) {
    const file = path.join(resume, 'run-config.json');
    if (!fs.existsSync(file)) throw new UsageError(`nothing to resume in ${resume}: ${file} does not exist`);
    apply(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, file);
    merged.out = resume;
  } else if (args.flags.config) {
    const file = args.flags.config as string;
    if (!fs.existsSync(file)) throw new UsageError(`the config file ${file} does not exist`);
    const text = readRegularFile(file, 'the config file', (m) => new UsageError(m), MAX_CONFIG_BYTES).toString('utf8');
    let obj: unknown;
    try { obj = JSON.parse(text); } catch { throw new UsageError(`the config file ${file} is not valid JSON`); }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new UsageError(`the config file ${file} must hold a JSON object of flag values`);
    apply(obj as Record<string, unknown>, file);
  }
  return merged;
}

function check(c: Record<string, ParsedValue>): void {
  const pos = (k: string) => { if (!((c[k] as number) > 0)) throw new UsageError(`--${k} must be above 0, got ${String(c[k])}`); };
  ['lr', 'epochs', 'batch-size', 'eval-batch-size'].forEach(pos);
  if (c.optimizer !== 'sgd') pos('rho');
  for (const k of ['alpha', 'beta', 'momentum', 'train-limit', 'test-limit', 'threads', 'cutout', 'warmup-epochs', 'lr-min', 'track-geometry', 'geometry-samples']) {
    if ((c[k] as number) < 0) throw new UsageError(`--${k} must not be negative, got ${String(c[k])}`);
  }
  const ls = c['label-smoothing'] as number;
  if (!(ls >= 0 && ls < 1)) throw new UsageError(`--label-smoothing must be in [0, 1), got ${ls}`);
}

export async function runTrain(args: Parsed, print: (line: string) => void): Promise<number> {
  const c = mergeConfig(args);
  check(c);
  const out = c.out as string;
  makeOutputDirectory(out);
  const saved = Object.fromEntries(Object.entries(c).filter(([k, v]) => v !== undefined && k !== 'resume' && k !== 'config'));
  const resume = !!args.flags.resume;
  if (!resume) fs.writeFileSync(path.join(out, 'run-config.json'), JSON.stringify(saved, null, 2));
  const seed = c.seed as number;
  const modelSpec = c.model as string;
  if (!resume) checkModelSpec(modelSpec);
  const opts: RunOptions = {
    model: (train) => resolveModel(modelSpec, { channels: train.channels, height: train.height, numClasses: train.numClasses }, seed),
    modelName: path.basename(modelSpec),
    dataset: c.data as string,
    dataDir: c['data-dir'] as string | undefined,
    trainLimit: (c['train-limit'] as number) || undefined,
    testLimit: (c['test-limit'] as number) || undefined,
    trainer: {
      optimizer: c.optimizer as 'crsam', base: c.base as 'sgd', momentum: c.momentum as number, nesterov: c.nesterov as boolean,
      weightDecay: c['weight-decay'] as number | undefined, rho: c.rho as number, alpha: c.alpha as number, beta: c.beta as number,
      crsamForm: c['crsam-form'] as 'reference', bnUpdate: c['bn-update'] as 'first', maxGradNorm: c['max-grad-norm'] as number | undefined,
      labelSmoothing: c['label-smoothing'] as number, device: c.device as 'cpu', deviceId: c['device-id'] as number,
      threads: (c.threads as number) || undefined, parallel: c.parallel as 'auto',
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
    config: saved,
  };
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) { process.stderr.write('\ncrsam: stopping now without a checkpoint\n'); process.exit(130); }
    process.stderr.write('\ncrsam: finishing this step and saving a checkpoint (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const bar = new ProgressBar(process.stderr);
  try {
    const summary = await runTraining(opts, {
      onNote: (m) => { bar.clear(); print(m); },
      onStart: (i) => print(`training ${opts.modelName} (${i.parameters.toLocaleString('en-US')} parameters) on ${opts.dataset}: ${i.trainSize} train / ${i.testSize} test images, ${i.stepsPerEpoch} steps per epoch, ${c.optimizer}${i.parallel ? ' with parallel passes' : ''}`),
      onStep: (p) => bar.update(`epoch ${p.epoch + 1}/${p.epochs}`, p.batch / p.batches, `loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}% ${Math.round(p.imagesPerSecond)} img/s lr ${p.lr.toPrecision(3)}`),
      onEvaluate: () => bar.update('evaluating', 1, ''),
      onEpoch: (r, best) => { bar.clear(); print(`epoch ${r.epoch + 1}: train loss ${r.trainLoss.toFixed(4)} acc ${(100 * r.trainAccuracy).toFixed(2)}% | test loss ${r.testLoss.toFixed(4)} acc ${(100 * r.testAccuracy).toFixed(2)}%${best ? ' (best)' : ''} | ${r.seconds.toFixed(1)} s, ${Math.round(r.imagesPerSecond)} img/s`); const geo = formatGeometryMetrics(r.extra); if (geo) print(`  ${geo}`); },
    }, controller.signal);
    bar.clear();
    if (summary.stopped) {
      process.stderr.write(`crsam: ${summary.stopped}; the run stopped, its last good checkpoint is ${summary.files.lastCheckpoint}\n`);
      return 1;
    }
    if (summary.interrupted) {
      print(`interrupted: checkpoint saved to ${summary.files.lastCheckpoint}; continue with: crsam train --resume ${out}`);
      return 130;
    }
    print(`best test accuracy ${(100 * summary.bestTestAccuracy).toFixed(2)}% (epoch ${summary.bestEpoch + 1})`);
    print(`model:   ${summary.files.model}`);
    print(`metrics: ${summary.files.metrics}, ${summary.files.csv}, ${summary.files.summary}`);
    print(`plots:   ${summary.files.curvesPng}, ${summary.files.curvesSvg}`);
    print(`checkpoints: ${summary.files.lastCheckpoint}, ${summary.files.bestCheckpoint}`);
    return 0;
  } finally {
    bar.clear();
    process.off('SIGINT', onSigint);
  }
}
