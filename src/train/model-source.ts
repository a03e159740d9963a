// Where a model comes from: an .onnx file, or a zoo name built for the data set's image shape
// and class count.
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import { Model } from '../onnx/ir';
import { loadModel } from '../onnx/io';
import { ZOO, buildZooModel, zooNames } from '../zoo';

export class ModelSourceError extends CrsamError {
  override readonly name = 'ModelSourceError';
}

export interface ModelShape {
  readonly channels: number;
  readonly height: number;
  readonly numClasses: number;
}

/** True when `spec` names a zoo model rather than a file. */
export function isZooName(spec: string): boolean {
  return Object.prototype.hasOwnProperty.call(ZOO, spec) && !fs.existsSync(spec);
}

/** Refuses a spec that is neither a zoo name nor an existing file (before any slow work starts). */
export function checkModelSpec(spec: string): void {
  if (!isZooName(spec) && !fs.existsSync(spec)) {
    throw new ModelSourceError(`${spec} is neither an .onnx file nor a zoo model; give a path, or one of: ${zooNames().join(', ')}`);
  }
}

/** The input shape and classes a zoo model is listed with (for a synthetic data set that fits it). */
export function zooModelShape(name: string): { channels: number; height: number; width: number; numClasses: number } {
  const d = ZOO[name].defaults;
  const size = d.inputSize ?? 32;
  return { channels: d.channels ?? 3, height: size, width: size, numClasses: d.numClasses ?? 10 };
}

/** Loads the file, or builds the zoo model for `shape` with the given seed. */
export function resolveModel(spec: string, shape: ModelShape, seed: number): Model {
  if (isZooName(spec)) return buildZooModel(spec, { inputSize: shape.height, channels: shape.channels, numClasses: shape.numClasses, seed });
  checkModelSpec(spec);
  return loadModel(spec);
}
