// Weight initializations, as descriptors so a model can be built without drawing any numbers
// (counting the parameters of a 90M-parameter model should not cost seconds of sampling).
// Each follows the PyTorch function named in its comment; fan-in/fan-out follow
// torch.nn.init._calculate_fan_in_and_fan_out: dims [out, in, ...receptive field].
import { InitRng } from '../core/rng';
import { tensorSize } from '../onnx/ir';

export type Init =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'uniform'; readonly bound: number }
  /** Normal(0, std) redrawn until inside [lo, hi] (absolute bounds, as torch.nn.init.trunc_normal_). */
  | { readonly kind: 'truncNormal'; readonly std: number; readonly lo: number; readonly hi: number };

export const ZEROS: Init = { kind: 'constant', value: 0 };
export const ONES: Init = { kind: 'constant', value: 1 };

function receptive(dims: readonly number[]): number {
  return tensorSize(dims.slice(2));
}

function fanIn(dims: readonly number[]): number {
  return (dims.length > 1 ? dims[1] : 1) * receptive(dims);
}

function fanOut(dims: readonly number[]): number {
  return dims[0] * receptive(dims);
}

/** kaiming_normal_(mode='fan_out', nonlinearity='relu'): std = √(2 / fan_out), as torchvision's ResNet initializes its convolutions. */
export function kaimingNormalFanOut(dims: readonly number[]): Init {
  return { kind: 'normal', std: Math.sqrt(2 / fanOut(dims)) };
}

/**
 * PyTorch's default for Linear and Conv weights, kaiming_uniform_(a=√5): the gain √(2/(1+5)) and
 * the uniform's √3 cancel to a bound of 1/√fan_in.
 */
export function torchDefaultWeight(dims: readonly number[]): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn(dims)) };
}

/** PyTorch's default bias of Linear and Conv layers: uniform(±1/√fan_in) of the layer's weight. */
export function torchDefaultBias(weightDims: readonly number[]): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn(weightDims)) };
}

/** timm's trunc_normal_(std) with its default cut at ±2 (absolute, so at std 0.02 practically untruncated). */
export function truncNormal(std: number): Init {
  return { kind: 'truncNormal', std, lo: -2, hi: 2 };
}

/** n values drawn from `init`; when `sample` is false, random initializations give zeros. */
export function fillInit(init: Init, n: number, rng: InitRng, sample: boolean): Float32Array {
  const out = new Float32Array(n);
  switch (init.kind) {
    case 'constant':
      if (init.value !== 0) out.fill(init.value);
      return out;
    case 'normal':
      if (sample) for (let i = 0; i < n; i++) out[i] = init.std * rng.normal();
      return out;
    case 'uniform':
      if (sample) for (let i = 0; i < n; i++) out[i] = rng.uniform(-init.bound, init.bound);
      return out;
    case 'truncNormal':
      if (!(init.lo < init.hi)) throw new RangeError(`truncated normal needs lo < hi, got [${init.lo}, ${init.hi}]`);
      if (sample) {
        for (let i = 0; i < n; i++) {
          let v = init.std * rng.normal();
          while (v < init.lo || v > init.hi) v = init.std * rng.normal();
          out[i] = v;
        }
      }
      return out;
  }
}
