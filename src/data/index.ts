// Public surface of the data layer: data sets, augmentation, batching.
export { DataError } from './errors';
export { Rng } from '../core/rng';
export type { RngState } from '../core/rng';
export { classCounts, imageSize, subsetDataset, validateDataset } from './dataset';
export type { DataProgress, DataProgressCallback, Dataset, DatasetPair } from './dataset';
export { encodeIdxUint8, parseIdx, readIdx } from './idx';
export type { IdxArray, IdxData, IdxType } from './idx';
export { loadIdxDataset, loadMnist, mnistDataDir, MNIST_CLASSES } from './mnist';
export type { IdxDatasetOptions, MnistOptions } from './mnist';
export {
  DATA_DIR_ENV, DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, FASHION_MNIST_SHA256, fashionMnistSearchPath, findFashionMnistDir, idxSha256, loadFashionMnist,
} from './fashion-mnist';
export { loadIdxFolder } from './idx-folder';
export type { IdxFolderOptions } from './idx-folder';
export type { FashionMnistOptions } from './fashion-mnist';
export { CIFAR10_CLASSES, CIFAR100_CLASSES, CIFAR100_SUPERCLASSES, loadCifar10, loadCifar100 } from './cifar';
export type { Cifar10Options, Cifar100Options } from './cifar';
export { makeSyntheticDataset } from './synthetic';
export type { SyntheticOptions } from './synthetic';
export { computeChannelStats, DATASET_STATS, statsFor } from './stats';
export type { ChannelStats } from './stats';
export { Augmenter, defaultCropPadding, defaultCutoutSize, evalAugmentation, trainAugmentation } from './augment';
export type { AugmentOptions, ImageShape } from './augment';
export { DEFAULT_EVAL_BATCH_SIZE, DEFAULT_INPUT, DataLoader, evalLoader, makeLoaders } from './loader';
export type { BatchImages, LoaderBatch, LoaderOptions, LoaderState, LoadersOptions } from './loader';
export { DATASET_NAMES, loadDataset, resolveDatasetName } from './registry';
export type { DatasetName, LoadDatasetOptions } from './registry';
export { defaultValidationSize, splitValidation } from './validation-split';
export type { ValidationSplit } from './validation-split';
