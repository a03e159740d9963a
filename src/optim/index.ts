// Public surface of the optimizer layer: pure math over flat Float32Array buffers.
export * from './types';
export * from './vector';
export * from './sgd';
export * from './adamw';
export * from './schedule';
export * from './clip';
export * from './errors';
export * from './sharpness';
