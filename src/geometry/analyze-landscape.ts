// analyzeLandscape: the loss landscape of a model around its weights (Li et al. 2018), from the
// package root; writeLandscape (landscape-output.ts) turns the result into files.
import { Batch } from '../runtime/batch';
import { SessionConfig } from '../runtime/execution-providers';
import { sessionConfig } from './analyze';
import { Landscape, LandscapeOptions, lossLandscape } from './landscape';
import { OrtGeometryOracle } from './ort-geometry-oracle';
import { GeometryModel, geometryWeights } from './sources';

export interface AnalyzeLandscapeOptions extends LandscapeOptions, SessionConfig {
  /** The model: a Model, a Trainer, or a file or run folder resolved by resolveGeometryModel. Required. */
  readonly model: GeometryModel;
  /** The data the loss is averaged over. Required. */
  readonly batches: Iterable<Batch>;
}

export async function analyzeLandscape(options: AnalyzeLandscapeOptions): Promise<Landscape> {
  const resolved = geometryWeights(options.model);
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
