// Trained models back from what `crsam train` leaves: an .onnx file, a run folder, or a
// checkpoint file inside one (its forward_model.onnx plus the checkpoint's weights).
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildArtifacts, withValues } from '../autodiff/artifacts';
import { loadModel } from '../onnx/io';
import { Model } from '../onnx/ir';
import { loadRunCheckpoint } from './checkpoint';

export class RestoreError extends CrsamError {
  override readonly name = 'RestoreError';
}

export interface Restored {
  /** Forward model with the trained weights as initializers (BatchNorm as exported: train or eval mode). */
  readonly model: Model;
  /** Where the weights came from, for messages. */
  readonly source: string;
}

/** Loads `spec`: an .onnx file, a run folder (its model.onnx, else its last checkpoint), or a .ckpt file. */
export function restoreModel(spec: string): Restored {
  if (!fs.existsSync(spec)) throw new RestoreError(`${spec} does not exist: give an .onnx file, a run folder written by crsam train, or a .ckpt file`);
  if (fs.statSync(spec).isDirectory()) {
    const ckpt = path.join(spec, 'checkpoints', 'last.ckpt');
    if (fs.existsSync(ckpt)) return fromCheckpoint(ckpt, path.join(spec, 'forward_model.onnx'));
    const onnx = path.join(spec, 'model.onnx');
    if (fs.existsSync(onnx)) return { model: loadModel(onnx), source: onnx };
    throw new RestoreError(`${spec} holds neither checkpoints/last.ckpt nor model.onnx; is it a run folder of crsam train?`);
  }
  if (spec.endsWith('.ckpt')) return fromCheckpoint(spec, path.join(path.dirname(path.dirname(path.resolve(spec))), 'forward_model.onnx'));
  return { model: loadModel(spec), source: spec };
}

function fromCheckpoint(ckptPath: string, forwardPath: string): Restored {
  if (!fs.existsSync(forwardPath)) throw new RestoreError(`${ckptPath} needs the run's forward_model.onnx, which is not at ${forwardPath}`);
  const forward = loadModel(forwardPath);
  const ck = loadRunCheckpoint(ckptPath);
  const values = new Map([...ck.trainer.params, ...ck.trainer.buffers]);
  const art = buildArtifacts(forward);
  for (const p of [...art.params, ...art.buffers]) {
    if (!values.has(p.name)) throw new RestoreError(`${ckptPath} has no value for '${p.name}'; it belongs to another model`);
  }
  // Bake the weights into the forward model itself (not the inference graph), so it can be
  // trained, evaluated or exported again.
  return { model: withValues(forward, values), source: ckptPath };
}
