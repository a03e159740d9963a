// The model argument of analyzeGeometry / analyzeLandscape from a path or zoo name: resolved by
// restoreModel (restore.ts), the same resolver `crsam eval` and `crsam export` use.
import { GeometryError } from '../geometry/errors';
import { GeometryModel, ResolvedGeometryModel, geometryModelOf, geometryWeights } from '../geometry/sources';
import { ModelShape } from './model-source';
import { RestoreError, restoreModel } from './restore';

/**
 * Artifacts and weights of `model`: a path or zoo name goes through restoreModel (`shape` is
 * needed only to rebuild a zoo model); anything else as analyzeGeometry takes it.
 */
export function resolveGeometryModel(model: string | GeometryModel, shape?: ModelShape): ResolvedGeometryModel {
  if (typeof model !== 'string') return geometryWeights(model);
  try {
    const restored = restoreModel(model, shape);
    return geometryModelOf(restored.model, restored.label);
  } catch (e) {
    // The geometry commands report their model argument's problems as geometry errors.
    if (e instanceof RestoreError) throw new GeometryError(e.message);
    throw e;
  }
}
