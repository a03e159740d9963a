// A model exported with a fixed batch size (no dynamic batch axis) can only ever run batches of
// that size: take the batch sizes from it when the user gave none, refuse a conflicting one before
// anything is trained or written.
import { CrsamError } from '../core/errors';
import { Model } from '../onnx/ir';

export class FixedBatchError extends CrsamError {
  override readonly name = 'FixedBatchError';
}

export interface BatchSizeRequest {
  /** Training batch size in samples (the user's or the default). */
  readonly batchSize: number;
  /** Evaluation batch size in samples (the user's or the default). */
  readonly evalBatchSize: number;
  /** Whether the user chose `batchSize` (a flag or config key) rather than leaving the default. */
  readonly batchSizeGiven: boolean;
  /** Whether the user chose `evalBatchSize`. */
  readonly evalBatchSizeGiven: boolean;
}

export interface BatchSizes {
  readonly batchSize: number;
  readonly evalBatchSize: number;
  /** A note for the user when the sizes were taken from the model. */
  readonly note?: string;
}

/** The batch size fixed by the model's first data input ([8, 3, 32, 32] → 8), or undefined when the batch is dynamic. */
export function fixedBatchSize(model: Model): number | undefined {
  const g = model.graph;
  const input = g.inputs.find((v) => !g.initializers.has(v.name));
  const d = input?.shape?.[0];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/** The batch sizes to train and evaluate `model` with; throws FixedBatchError when a chosen size conflicts. */
export function batchSizesFor(model: Model, r: BatchSizeRequest): BatchSizes {
  const fixed = fixedBatchSize(model);
  if (fixed === undefined) return { batchSize: r.batchSize, evalBatchSize: r.evalBatchSize };
  const input = model.graph.inputs.find((v) => !model.graph.initializers.has(v.name));
  const conflict = [
    r.batchSizeGiven && r.batchSize !== fixed ? `--batch-size ${r.batchSize}` : '',
    r.evalBatchSizeGiven && r.evalBatchSize !== fixed ? `--eval-batch-size ${r.evalBatchSize}` : '',
  ].filter(Boolean);
  if (conflict.length) {
    throw new FixedBatchError(`the model was exported with a fixed batch of ${fixed} (input '${input?.name}' is [${input?.shape?.join(', ')}]) but ${conflict.join(' and ')} asks for another; `
      + `drop the flag (crsam then uses ${fixed}) or re-export with a dynamic batch (torch.onnx.export(..., dynamic_axes={'${input?.name}': {0: 'N'}}))`);
  }
  const taken = [!r.batchSizeGiven && r.batchSize !== fixed ? 'training' : '', !r.evalBatchSizeGiven && r.evalBatchSize !== fixed ? 'evaluation' : ''].filter(Boolean);
  return {
    batchSize: fixed,
    evalBatchSize: fixed,
    note: taken.length ? `the model has a fixed batch of ${fixed}: using it as the ${taken.join(' and ')} batch size` : undefined,
  };
}
