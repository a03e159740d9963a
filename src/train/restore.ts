// The one way back from what `crsam train` leaves to a model with its trained weights: an .onnx
// file, a run folder, a checkpoint file inside one, or a zoo name. `crsam eval`, `crsam export`,
// `crsam analyze` and `crsam landscape` all resolve their model argument here, so they load the
// same weights from the same folder.
//
// A run folder resolves, in this order (the first that exists wins):
//   1. checkpoints/last.ckpt on the run's forward_model.onnx: the newest weights (written every
//      epoch, also by a run that was stopped or is still going) on the graph the run trained;
//   2. checkpoints/last.ckpt on the model named in run-config.json, rebuilt from the zoo (a run
//      folder without forward_model.onnx; needs the data set's shape);
//   3. model.onnx, the inference model exported when a run finishes (a folder holding only that).
// model.onnx is written from the same weights as the final last.ckpt, so 1 and 3 agree on a
// finished run; where they differ (a run resumed or trained further after its export, a file
// replaced by hand) the checkpoint is the newer and wins.
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildArtifacts, withValues } from '../autodiff/artifacts';
import { loadModel } from '../onnx/io';
import { Model } from '../onnx/ir';
import { loadRunCheckpoint } from './checkpoint';
import { ModelShape, isZooName, resolveModel } from './model-source';

export class RestoreError extends CrsamError {
  override readonly name = 'RestoreError';
}

export interface Restored {
  /** Forward model with the trained weights as initializers (BatchNorm as exported: train or eval mode). */
  readonly model: Model;
  /** Where the weights came from, for messages. */
  readonly source: string;
  /** How to name the model in reports: the run folder's or file's base name, or the zoo name. */
  readonly label: string;
}

function missingModel(spec: string): RestoreError {
  return new RestoreError(`${spec} does not exist: give an .onnx file, a run folder written by crsam train, or a .ckpt file`);
}

/** Refuses, before any data is read, a model argument that is neither a path that exists nor a zoo name. */
export function checkModelSpec(spec: string): void {
  if (!fs.existsSync(spec) && !isZooName(spec)) throw missingModel(spec);
}

/**
 * Loads `spec`: an .onnx file, a run folder or a .ckpt file (see the order above), or a zoo name
 * (its freshly initialized model, seed 0). `shape` (the data set's image shape and class count) is
 * needed only to rebuild a zoo model.
 */
export function restoreModel(spec: string, shape?: ModelShape): Restored {
  if (!fs.existsSync(spec)) {
    if (isZooName(spec) && shape) return { model: resolveModel(spec, shape, 0), source: spec, label: spec };
    throw missingModel(spec);
  }
  if (fs.statSync(spec).isDirectory()) {
    const label = path.basename(path.resolve(spec));
    const ckpt = path.join(spec, 'checkpoints', 'last.ckpt');
    if (fs.existsSync(ckpt)) return fromCheckpoint(ckpt, spec, label, shape);
    const onnx = path.join(spec, 'model.onnx');
    if (fs.existsSync(onnx)) return { model: loadModel(onnx), source: onnx, label };
    throw new RestoreError(`${spec} holds neither checkpoints/last.ckpt nor model.onnx; is it a run folder of crsam train?`);
  }
  if (spec.endsWith('.ckpt')) {
    const run = path.dirname(path.dirname(path.resolve(spec)));
    return fromCheckpoint(spec, run, path.basename(run), shape);
  }
  return { model: loadModel(spec), source: spec, label: path.basename(spec) };
}

/** The graph a checkpoint's weights belong to: the run's forward_model.onnx, else its zoo model. */
function runGraph(ckptPath: string, run: string, shape: ModelShape | undefined): Model {
  const forwardPath = path.join(run, 'forward_model.onnx');
  if (fs.existsSync(forwardPath)) return loadModel(forwardPath);
  const config = path.join(run, 'run-config.json');
  if (!fs.existsSync(config)) throw new RestoreError(`${ckptPath} needs the run's forward_model.onnx or run-config.json, and ${run} has neither`);
  if (!shape) throw new RestoreError(`${run} has no forward_model.onnx, so its checkpoint is rebuilt from run-config.json, which needs the data set: give it (for example 'crsam analyze ${run} --data ...')`);
  const cfg = JSON.parse(fs.readFileSync(config, 'utf8')) as { model?: unknown; seed?: unknown };
  if (typeof cfg.model !== 'string') throw new RestoreError(`${config} names no model; give the run's forward_model.onnx instead`);
  return resolveModel(cfg.model, shape, typeof cfg.seed === 'number' ? cfg.seed : 0);
}

function fromCheckpoint(ckptPath: string, run: string, label: string, shape: ModelShape | undefined): Restored {
  const forward = runGraph(ckptPath, run, shape);
  const ck = loadRunCheckpoint(ckptPath);
  const values = new Map([...ck.trainer.params, ...ck.trainer.buffers]);
  const art = buildArtifacts(forward);
  for (const p of [...art.params, ...art.buffers]) {
    if (!values.has(p.name)) throw new RestoreError(`${ckptPath} has no value for '${p.name}'; it belongs to another model`);
  }
  // Bake the weights into the forward model itself (not the inference graph), so it can be
  // trained, evaluated or exported again.
  return { model: withValues(forward, values), source: ckptPath, label };
}
