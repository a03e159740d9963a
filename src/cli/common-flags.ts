// Flags several commands share, defined once so their help and defaults agree.
import { DATASET_NAMES } from '../data';
import { FlagSpec } from './args';

export const DATA_FLAGS: Record<string, FlagSpec> = {
  data: { type: 'string', arg: 'NAME', help: 'data set', choices: DATASET_NAMES, default: 'fashion-mnist' },
  'data-dir': { type: 'string', arg: 'DIR', help: 'folder with the data set files (required for cifar10/cifar100)' },
};

export const DEVICE_FLAGS: Record<string, FlagSpec> = {
  device: { type: 'string', help: "execution provider ('auto': CUDA when installed, else CPU; 'webgpu': ORT's Dawn provider)", choices: ['cpu', 'cuda', 'webgpu', 'auto'], default: 'cpu' },
  threads: { type: 'int', help: 'CPU threads (0 = all cores)', default: 0 },
};
