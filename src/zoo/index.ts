// Public surface of the model zoo: forward ONNX builders of the paper's architectures, the zoo
// table, and size, cost and memory estimates.
export * from './options';
export * from './init';
export { InitRng } from '../core/rng';
export * from './net';
export * from './resnet';
export * from './wide-resnet';
export * from './pyramidnet';
export * from './vit';
export * from './small';
export * from './zoo';
export * from './stats';
export * from './memory';
