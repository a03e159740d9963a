// Flags several commands share, defined once so their help and defaults agree.
import { DATASET_NAMES } from '../data';
import { FlagSpec } from './args';
import { DataShape } from '../train/run-data';
import { syntheticShapeFor } from '../train/geometry-model';

export const DATA_FLAGS: Record<string, FlagSpec> = {
  data: { type: 'string', arg: 'NAME', help: 'data set', choices: DATASET_NAMES, default: 'fashion-mnist' },
  'data-dir': { type: 'string', arg: 'DIR', help: 'folder with the data set files (required for cifar10/cifar100)' },
};

export const DEVICE_FLAGS: Record<string, FlagSpec> = {
  device: { type: 'string', help: "execution provider ('auto': CUDA when installed, else CPU; 'webgpu': ORT's Dawn provider)", choices: ['cpu', 'cuda', 'webgpu', 'auto'], default: 'cpu' },
  threads: { type: 'int', help: 'CPU threads (0 = all cores)', default: 0 },
};

/** `loadDataset`'s synthetic shape for a command that analyzes `spec`: the model's, so its images fit. */
export function syntheticFor(data: string, spec: string): { synthetic?: DataShape } {
  const shape = data === 'synthetic' ? syntheticShapeFor(spec) : undefined;
  return shape ? { synthetic: shape } : {};
}
