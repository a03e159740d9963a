// A coarse estimate of the memory a training run needs, so a trainer can refuse a model that
// cannot fit before it spends minutes building graphs and sessions. It is an estimate, not a
// bound: ONNX Runtime's arena and kernel workspaces come on top, and its memory planner reuses
// some buffers.
import { CrsamError } from '../core/errors';
import { BYTES_PER_ELEMENT } from '../onnx/dtype';
import { Model, tensorSize } from '../onnx/ir';
import { countParameters, factsAtBatch } from './stats';

export interface MemoryEstimateOptions {
  /**
   * Copies of the parameters alive during a step. Default 4: the weights, their gradient, the
   * optimizer's momentum and the perturbed/ascent copy that SAM and CR-SAM keep.
   */
  readonly parameterCopies?: number;
  /**
   * Multiple of the forward values held for a step. Default 3: the forward activations are kept
   * for the backward pass, whose gradients and temporaries take about twice as much again.
   */
  readonly activationFactor?: number;
}

export interface MemoryEstimate {
  /** The batch size the estimate is for. */
  readonly batchSize: number;
  /** Bytes of the trainable parameters plus BatchNorm buffers, once. */
  readonly parameterBytes: number;
  /** Bytes of every value the forward graph computes at this batch size, once. */
  readonly activationBytes: number;
  /** parameterBytes × parameterCopies + activationBytes × activationFactor. */
  readonly totalBytes: number;
}

/** Refused before training: the estimate exceeds the limit. */
export class ModelTooLargeError extends CrsamError {
  constructor(readonly estimate: MemoryEstimate, readonly limitBytes: number, what: string) {
    super(`${what} needs an estimated ${formatBytes(estimate.totalBytes)} to train at batch size ${estimate.batchSize} ` +
      `(${formatBytes(estimate.parameterBytes)} of parameters, ${formatBytes(estimate.activationBytes)} of activations per forward pass), ` +
      `over the limit of ${formatBytes(limitBytes)}; use a smaller batch size or model`);
  }
}

/** Bytes in binary units with three significant digits ("1.23 GiB"). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${u === 0 ? v.toFixed(0) : v.toPrecision(3)} ${units[u]}`;
}

/** Estimates the bytes a training step of `model` needs at `batchSize`. */
export function estimateTrainingMemory(model: Model, batchSize: number, options: MemoryEstimateOptions = {}): MemoryEstimate {
  const copies = options.parameterCopies ?? 4;
  const factor = options.activationFactor ?? 3;
  if (!(copies >= 0) || !(factor >= 0)) throw new RangeError(`parameterCopies and activationFactor must be non-negative, got ${copies} and ${factor}`);
  const counts = countParameters(model);
  // The zoo and buildArtifacts train in float32.
  const parameterBytes = (counts.parameters + counts.buffers) * 4;
  const facts = factsAtBatch(model, batchSize);
  let activationBytes = 0;
  for (const node of model.graph.nodes) {
    for (const out of node.outputs) {
      const f = out ? facts.get(out) : undefined;
      const size = f ? BYTES_PER_ELEMENT[f.dtype] : undefined;
      // Values of unknown shape (rare: data-dependent sizes) are left out of the estimate.
      if (!f?.shape || size === undefined || !f.shape.every((d): d is number => typeof d === 'number')) continue;
      activationBytes += tensorSize(f.shape) * size;
    }
  }
  return { batchSize, parameterBytes, activationBytes, totalBytes: parameterBytes * copies + activationBytes * factor };
}

/**
 * Returns the estimate, or throws ModelTooLargeError (message with the estimate and the limit)
 * when it exceeds `limitBytes`. `what` names the model in the message.
 */
export function checkTrainingMemory(model: Model, batchSize: number, limitBytes: number, what = 'the model', options: MemoryEstimateOptions = {}): MemoryEstimate {
  const estimate = estimateTrainingMemory(model, batchSize, options);
  if (estimate.totalBytes > limitBytes) throw new ModelTooLargeError(estimate, limitBytes, what);
  return estimate;
}
