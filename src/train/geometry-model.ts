// The model argument of analyzeGeometry / analyzeLandscape from a path or zoo name: resolved by
// restoreModel (restore.ts), the same resolver `crsam eval` and `crsam export` use.
import { DataShape, artifactsDataShape } from './run-data';
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

/**
 * The shape a synthetic data set must have to feed `spec` (its input's C, H, W and class count),
 * so `--data synthetic` follows the analyzed model as it follows the trained one.
 */
export function syntheticShapeFor(spec: string): DataShape | undefined {
  return artifactsDataShape(resolveGeometryModel(spec).artifacts);
}
