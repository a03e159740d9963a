// analyzeLandscape: the loss landscape of a model around its weights (Li et al. 2018), from the
// package root; writeLandscape (landscape-output.ts) turns the result into files.
import { Batch } from '../runtime/batch';
import { SessionConfig } from '../runtime/execution-providers';
import { sessionConfig } from './analyze';
import { Landscape, LandscapeOptions, lossLandscape } from './landscape';
import { OrtGeometryOracle } from './ort-oracle';
import { GeometryModel, resolveGeometryModel } from './sources';

export interface AnalyzeLandscapeOptions extends LandscapeOptions, SessionConfig {
  /** The model: an .onnx file, a `crsam train` run folder, a Model, or a Trainer. Required. */
  readonly model: GeometryModel;
  /** The data the loss is averaged over. Required. */
  readonly batches: Iterable<Batch>;
}

export async function analyzeLandscape(options: AnalyzeLandscapeOptions): Promise<Landscape> {
  const resolved = resolveGeometryModel(options.model);
  const oracle = new OrtGeometryOracle(resolved.artifacts, sessionConfig(options));
  try {
    oracle.setBuffers(resolved.buffers);
    oracle.setBatches([...options.batches]);
    const w = oracle.flatten(resolved.params);
    return await lossLandscape(oracle, w, oracle.views(w), options);
  } finally {
    await oracle.close();
  }
}
