// Flags several commands share: the training option schema's own entries (src/train/train-options.ts),
// so their help and defaults agree with `crsam train` and the library.
import { TRAIN_OPTIONS } from '../train/train-options';
import { DataShape } from '../train/run-data';
import { syntheticShapeFor } from '../train/geometry-model';

export const DATA_FLAGS = { data: TRAIN_OPTIONS.data, 'data-dir': TRAIN_OPTIONS['data-dir'] } as const;

export const DEVICE_FLAGS = { device: TRAIN_OPTIONS.device, threads: TRAIN_OPTIONS.threads } as const;

/** `loadDataset`'s synthetic shape for a command that analyzes `spec`: the model's, so its images fit. */
export function syntheticFor(data: string, spec: string): { synthetic?: DataShape } {
  const shape = data === 'synthetic' ? syntheticShapeFor(spec) : undefined;
  return shape ? { synthetic: shape } : {};
}
