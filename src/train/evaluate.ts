// Evaluation of a model on a data set without a trainer: the eval graph, BatchNorm on running
// statistics, the model's own weights.
import { CrsamError } from '../core/errors';
import { buildArtifacts } from '../autodiff/artifacts';
import { DatasetPair, evalLoader } from '../data';
import { Model } from '../onnx/ir';
import { serializeModel } from '../onnx/io';
import { EvalResult, EvalSession } from '../runtime/eval-session';
import { SessionConfig, sessionOptions } from '../runtime/execution-providers';
import { ParameterStore } from '../runtime/parameter-store';
import { fixedBatchSize } from './fixed-batch';

export class EvaluateError extends CrsamError {
  override readonly name = 'EvaluateError';
}

/**
 * Mean loss and accuracy of `model` on a split. `batchSize`: samples per batch; a fixed-batch
 * model always runs its own batch (the size changes no metric: the last short batch is padded
 * and only its real samples count).
 */
export async function evaluateModel(model: Model, pair: DatasetPair, split: 'train' | 'test', requestedBatchSize: number, config: SessionConfig = {}): Promise<EvalResult> {
  const batchSize = fixedBatchSize(model) ?? requestedBatchSize;
  const art = buildArtifacts(model);
  const ds = pair[split];
  if (art.numClasses !== ds.numClasses) throw new EvaluateError(`the model has ${art.numClasses} output classes but ${ds.name} has ${ds.numClasses}`);
  const store = new ParameterStore(art.params, art.buffers, art.initialValues);
  const session = await EvalSession.create(serializeModel(art.evalModel), sessionOptions(config), store.layout(art.evalContract), art.dataInputs);
  try {
    return await session.evaluate(evalLoader(ds, pair.train, batchSize).batches(art.dataInputs[0].name), store, art.numClasses);
  } finally {
    await session.close();
  }
}
