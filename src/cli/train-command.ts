// `crsam train`: the main job. Flags override a JSON config file; progress goes to the terminal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatGeometryMetrics } from '../train/geometry-tracker';
import { loadPreset, presetFlags } from '../train/presets';
import { batchSizesFor } from '../train/fixed-batch';
import { checkModelSpec, isZooName, resolveModel, zooModelShape } from '../train/model-source';
import { loadModel } from '../onnx/io';
import { Model } from '../onnx/ir';
import { RunOptions, runTraining } from '../train/run';
import { TRAIN_OPTIONS, libraryOptionsFrom } from '../train/train-options';
import { closestName, typeInWords } from '../core/option-schema';
import { CommandSpec, FlagSpec, Parsed, ParsedValue, UsageError, checkRanges, convert } from './args';
import { ProgressBar } from './progress';
import { readRegularFile } from '../core/safe-fs';
import { parseDevices } from '../runtime/pass-placement';

/** A config file holds a few flags; anything larger is not one (and is not read into memory). */
const MAX_CONFIG_BYTES = 1 << 20;
import { handleStopSignals } from './stop-signals';
import { AtomicWriteError } from '../core/atomic-file';
import { checkResume, readRecordedConfig } from '../train/resume-policy';
import { newRunFolder, updateLatestLink } from '../train/run-folder';

/** `crsam train`'s flags: the training option schema, whole. */
const FLAGS: typeof TRAIN_OPTIONS = TRAIN_OPTIONS;

export const trainSpec: CommandSpec<typeof TRAIN_OPTIONS> = {
  name: 'train',
  summary: 'train a model with CR-SAM (or SAM, ASAM, SGD) and export it for deployment',
  usage: 'crsam train [--model resnet-fmnist|model.onnx] [--data fashion-mnist] [--optimizer crsam] [--epochs 5] [--out DIR] [...]',
  flags: FLAGS,
};

/** Flags merged over a config file (and over a resumed run's saved config). */
export function mergeConfig(args: Parsed<typeof TRAIN_OPTIONS>): Record<string, ParsedValue> {
  const merged: Record<string, ParsedValue> = { ...args.flags };
  const flags: Readonly<Record<string, FlagSpec | undefined>> = FLAGS;
  const apply = (obj: Record<string, unknown>, source: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const spec = flags[k];
      if (!spec) {
        const guess = closestName(k, Object.keys(FLAGS));
        throw new UsageError(`${source} has the key '${k}', which is not a flag of 'crsam train'; ${guess ? `did you mean '${guess}'?` : "run 'crsam train --help'"}`);
      }
      if (args.given.has(k) || k === 'resume' || k === 'config' || k === 'overwrite') continue;
      merged[k] = configValue(source, k, spec, v);
      if (spec.type === 'int' && !Number.isInteger(merged[k])) throw new UsageError(`${source}: '${k}' must be a whole number`);
      if (spec.choices && !spec.choices.includes(String(merged[k]))) throw new UsageError(`${source}: '${k}' must be one of ${spec.choices.join(', ')}`);
    }
  };
  const resume = args.flags.resume;
  if (resume) {
    const file = path.join(resume, 'run-config.json');
    if (!fs.existsSync(file)) throw new UsageError(`nothing to resume in ${resume}: ${file} does not exist`);
    for (const k of ['config', 'preset', 'out', 'overwrite']) {
      if (args.given.has(k)) throw new UsageError(`--${k} cannot be combined with --resume: a resumed run keeps its folder and the config in ${file}`);
    }
    const recorded = readRecordedConfig(resume);
    // Refused before anything else: a resume continues the same run.
    checkResume(recorded, Object.fromEntries([...args.given].map((k) => [k, merged[k]])));
    apply(recorded, file);
    merged.out = resume;
  } else {
    const config = args.flags.config ? readConfigFile(args.flags.config, args) : undefined;
    if (args.flags.preset) {
      // Under the config file and the flags: a preset is where a run starts, not what it must be.
      const preset = loadPreset(args.flags.preset);
      const optimizer = String(args.given.has('optimizer') ? args.flags.optimizer : config?.optimizer ?? args.flags.optimizer);
      apply(presetFlags(preset, optimizer), `the preset ${preset.name}`);
    }
    if (config) apply(config, args.flags.config as string);
  }
  return merged;
}

/** The JSON object of flag values in a config file (`out` dropped when --out is given). */
function readConfigFile(file: string, args: Parsed<typeof TRAIN_OPTIONS>): Record<string, unknown> {
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
  const need = typeInWords(spec.type);
  const ok = spec.type === 'number' || spec.type === 'int' ? typeof v === 'number' && Number.isFinite(v)
    : spec.type === 'bool' ? typeof v === 'boolean'
      : spec.type === 'list' ? Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') || typeof v === 'string'
        : false;
  if (!ok) throw new UsageError(`${source}: '${k}' must be ${need}, not ${JSON.stringify(v) ?? String(v)}`);
  if (spec.type === 'list') return typeof v === 'string' ? convert(k, spec, v) : (v as unknown[]).map(String);
  return v as ParsedValue;
}

/** --data-parallel and --devices against the batch, the device and --device-id; sets the library's `devices`. */
function checkReplicaFlags(c: Record<string, ParsedValue | undefined>, trainer: Record<string, unknown>): void {
  const dp = c['data-parallel'] as number | undefined;
  if (dp !== undefined && dp > (c['batch-size'] as number)) throw new UsageError(`--data-parallel ${dp} is more replicas than the ${String(c['batch-size'])} images of a batch; use at most --batch-size replicas`);
  if (c.devices === undefined) return;
  if (c.device === 'cpu') throw new UsageError('--devices applies to --device cuda; on the CPU use --data-parallel N to split batches across replicas');
  if (c['device-id'] !== undefined) throw new UsageError('--device-id and --devices both name the main device; give only --devices (its first entry is the main device)');
  trainer.devices = parseDevices(c.devices as string);
}

export async function runTrain(args: Parsed<typeof TRAIN_OPTIONS>, print: (line: string) => void): Promise<number> {
  const c = mergeConfig(args);
  checkRanges(FLAGS, c);
  // A fixed-batch model sets the batch sizes (preloadFileModel), so its values come first; every
  // value is read before a run folder is made for it.
  const preloaded = args.flags.resume ? undefined : preloadFileModel(c, args.given, print);
  const library = libraryOptionsFrom(c, (m) => new UsageError(m));
  checkReplicaFlags(c, library.trainer);
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
    ...library.run as Partial<RunOptions>,
    model: (train) => preloaded ?? resolveModel(modelSpec, { channels: train.channels, height: train.height, numClasses: train.numClasses }, seed),
    modelName: path.basename(modelSpec),
    ...(zooShape ? { syntheticShape: zooShape } : {}),
    trainer: library.trainer as RunOptions['trainer'],
    out,
    resume,
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
  const chosen = (k: 'batch-size' | 'eval-batch-size') => given.has(k) || c[k] !== FLAGS[k].default;
  const sizes = batchSizesFor(model, {
    batchSize: c['batch-size'] as number, evalBatchSize: c['eval-batch-size'] as number,
    batchSizeGiven: chosen('batch-size'), evalBatchSizeGiven: chosen('eval-batch-size'),
  });
  c['batch-size'] = sizes.batchSize;
  c['eval-batch-size'] = sizes.evalBatchSize;
  if (sizes.note) print(sizes.note);
  return model;
}
