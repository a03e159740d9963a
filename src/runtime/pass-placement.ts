// Which session on which device runs each pass of a step (docs/pass-placement.md). Pure: the
// oracle asks it once at start-up and then only follows the plan, so the rule is testable without
// a GPU. The pass at w always runs in the main session on the first device; the perturbed passes
// (w+e; w−e for CR-SAM) are the ones that can run side by side.
import type * as ort from 'onnxruntime-node';
import { OptionError } from '../core/option-error';

/** The kinds of execution provider a placement knows. */
export type DeviceKind = 'cpu' | 'cuda' | 'webgpu';
/** A pass of one step. */
export type PassId = 'w' | 'w+e' | 'w-e';
/** `auto`: by the measured rule of `PARALLEL_AUTO`; `on`: always concurrent; `off`: one after the other. */
export type ParallelChoice = 'auto' | 'on' | 'off';

/** What a placement is decided from. */
export interface PlacementRequest {
  /** The update rule; it fixes the passes (sgd: w; sam/asam: w, w+e; crsam: w, w+e, w−e). */
  readonly method: 'sgd' | 'sam' | 'asam' | 'crsam';
  /** Provider kind of every device. */
  readonly kind: DeviceKind;
  /** Device indices (`--devices 0,1`); the first holds the main session. Default: [0]. */
  readonly devices?: readonly number[];
  /** Parallel choice. Default: 'auto'. */
  readonly parallel?: ParallelChoice;
  /** CPU cores available to crsam. Required for the CPU rule and for splitting threads. */
  readonly cores: number;
}

/** Where one pass runs. */
export interface PassSlot {
  readonly pass: PassId;
  /** 'main' or a worker session, numbered from 0. */
  readonly session: 'main' | `worker${number}`;
  readonly deviceId: number;
}

/** The plan for every step. */
export interface PassPlacement {
  readonly slots: readonly PassSlot[];
  /** Whether the perturbed passes run concurrently (in worker sessions). */
  readonly concurrent: boolean;
  /** Worker sessions to start, with the device of each. */
  readonly workers: readonly { readonly deviceId: number }[];
  /** Intra-op CPU threads per worker session (the cores split between the concurrent sessions). */
  readonly workerThreads: number;
  /** Devices given but not used by this method (the data-parallel replicas would use them). */
  readonly unusedDevices: readonly number[];
  /** One sentence on why, for logs. */
  readonly reason: string;
}

/**
 * `parallel: 'auto'` per device kind. CPU: concurrent from 2 cores (BENCHMARKS.md: ResNet-20's
 * CR-SAM step 1329 ms parallel vs 1845 ms sequential on 2 cores). CUDA and WebGPU: sequential until
 * tools/device-check.sh has measured the concurrent sessions on a GPU; one GPU's sessions would
 * share its streams' compute, so the gain is not assumed. With ≥ 2 devices each perturbed pass has
 * its own device, which needs no measurement to be a gain.
 */
export const PARALLEL_AUTO: Readonly<Record<DeviceKind, { readonly oneDevice: boolean; readonly minCores: number }>> = {
  cpu: { oneDevice: true, minCores: 2 },
  cuda: { oneDevice: false, minCores: 1 },
  webgpu: { oneDevice: false, minCores: 1 },
};

/** Parses `--devices 0,1` into distinct non-negative indices. */
export function parseDevices(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const ids = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (parts.length === 0 || ids.some((d) => !Number.isSafeInteger(d))) {
    throw new OptionError(`--devices must be a comma-separated list of device indices such as 0,1 (got '${text}').`);
  }
  if (new Set(ids).size !== ids.length) throw new OptionError(`--devices lists a device twice ('${text}'); give each index once.`);
  return ids;
}

function perturbedPasses(method: PlacementRequest['method']): PassId[] {
  if (method === 'sgd') return [];
  return method === 'crsam' ? ['w+e', 'w-e'] : ['w+e'];
}

/** Decides the placement; throws OptionError for a request that cannot be met. */
export function placePasses(req: PlacementRequest): PassPlacement {
  const devices = req.devices ?? [0];
  const parallel = req.parallel ?? 'auto';
  if (devices.length === 0) throw new OptionError('--devices needs at least one device index.');
  if (req.kind === 'cpu' && (devices.length > 1 || devices[0] !== 0)) {
    throw new OptionError('--devices applies to --device cuda or webgpu; the CPU is one device (use --threads to size it).');
  }
  if (!Number.isInteger(req.cores) || req.cores < 1) throw new OptionError(`cores must be a positive integer (got ${req.cores}).`);
  const perturbed = perturbedPasses(req.method);
  const main = devices[0];
  const sequential = (reason: string): PassPlacement => ({
    slots: [{ pass: 'w', session: 'main', deviceId: main }, ...perturbed.map((pass): PassSlot => ({ pass, session: 'main', deviceId: main }))],
    concurrent: false, workers: [], workerThreads: req.cores, unusedDevices: devices.slice(1), reason,
  });
  if (perturbed.length < 2) {
    return sequential(perturbed.length === 0 ? 'one pass per step: nothing to run side by side' : 'one perturbed pass per step: nothing to run side by side');
  }
  if (parallel === 'off') return sequential('parallel passes are off');
  const rule = PARALLEL_AUTO[req.kind];
  const multi = devices.length >= 2;
  if (parallel === 'auto' && !multi) {
    if (!rule.oneDevice) return sequential(`on one ${req.kind} device the passes run one after the other until concurrent sessions are measured faster there`);
    if (req.cores < rule.minCores) return sequential(`concurrent passes need ${rule.minCores} cores (got ${req.cores})`);
  }
  // w+e on the first device, w−e on the second when there is one; each worker gets half the cores
  // (its host-side work and the CPU provider's fallback nodes).
  const deviceOf = (k: number): number => (multi ? devices[k] : main);
  const slots: PassSlot[] = [{ pass: 'w', session: 'main', deviceId: main }, ...perturbed.map((pass, k): PassSlot => ({ pass, session: `worker${k}`, deviceId: deviceOf(k) }))];
  return {
    slots, concurrent: true,
    workers: perturbed.map((_, k) => ({ deviceId: deviceOf(k) })),
    workerThreads: Math.max(1, Math.floor(req.cores / perturbed.length)),
    unusedDevices: devices.slice(perturbed.length),
    reason: multi ? `w+e on device ${devices[0]}, w−e on device ${devices[1]}` : `w+e and w−e in two concurrent sessions on ${req.kind} device ${main}`,
  };
}

/**
 * A worker's session options: the main session's, with the worker's device and thread count
 * (so workers take the same execution-provider configuration as the main session).
 */
export function workerSessionOptions(main: ort.InferenceSession.SessionOptions, deviceId: number, threads: number): ort.InferenceSession.SessionOptions {
  const eps = (main.executionProviders ?? ['cpu']).map((ep) => (typeof ep !== 'string' && ep.name === 'cuda' ? { ...ep, deviceId } : ep));
  return { ...main, executionProviders: eps, intraOpNumThreads: threads };
}
