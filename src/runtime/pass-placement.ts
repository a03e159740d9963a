// Which session on which device runs each pass of a step, and how a batch is split across
// data-parallel replicas (docs/pass-placement.md, docs/scale-out.md). Pure: the trainer asks it
// once at start-up and the oracle only follows the plan, so the rule is testable without a GPU.
// The pass at w always runs first; the perturbed passes (w+e; w−e for CR-SAM) of one replica are
// the ones that can run side by side, and replicas can run side by side with each other.
import type * as ort from 'onnxruntime-node';
import { OptionError } from '../core/option-error';

/** The kinds of execution provider a placement knows. */
export type DeviceKind = 'cpu' | 'cuda' | 'webgpu';
/** A pass of one step. */
export type PassId = 'w' | 'w+e' | 'w-e';
/** `auto`: by the measured rule of `PARALLEL_AUTO`; `on`: always concurrent; `off`: one after the other. */
export type ParallelChoice = 'auto' | 'on' | 'off';
/** A session of the plan: the main-thread one, or a worker thread's, numbered from 0. */
export type SessionName = 'main' | `worker${number}`;

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
  /**
   * Data-parallel replicas the batch is split across (a whole number ≥ 1). Default: one per
   * device when `devices` lists more devices than the method's perturbed passes can use
   * (`spreadCapacity`), else 1.
   */
  readonly dataParallel?: number;
}

/** Where one pass of one replica runs. */
export interface PassSlot {
  readonly pass: PassId;
  /** The replica (batch shard) the pass runs on, from 0. */
  readonly replica: number;
  readonly session: SessionName;
  readonly deviceId: number;
}

/** The plan for every step. */
export interface PassPlacement {
  /** Replicas each batch is split across (1: no data parallelism). */
  readonly replicas: number;
  /** Every (replica, pass), replica-major. */
  readonly slots: readonly PassSlot[];
  /** Whether passes or replicas run concurrently (in worker sessions). */
  readonly concurrent: boolean;
  /** Device of the main session. */
  readonly mainDevice: number;
  /** Worker sessions to start, with the device of each (worker k is `worker${k}`). */
  readonly workers: readonly { readonly deviceId: number }[];
  /** Intra-op CPU threads of the main training session. */
  readonly mainThreads: number;
  /** Intra-op CPU threads per worker session (the cores split between the concurrent sessions). */
  readonly workerThreads: number;
  /** Devices given but not used by this plan. */
  readonly unusedDevices: readonly number[];
  /** One sentence on why, for logs. */
  readonly reason: string;
}

/**
 * `parallel: 'auto'` per device kind. CPU: concurrent from 2 cores (BENCHMARKS.md: ResNet-20's
 * CR-SAM step 1329 ms parallel vs 1845 ms sequential on 2 cores, two 1-thread sessions against one
 * 2-thread session). CUDA and WebGPU: sequential on one device until tools/device-check.sh has
 * measured concurrent sessions on a GPU; one GPU's sessions share its compute, so the gain is not
 * assumed. With ≥ 2 devices each concurrent session has its own device, which needs no
 * measurement to be a gain.
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

/** How many devices one replica's passes can spread over: its perturbed passes, at least 1. */
export function spreadCapacity(method: PlacementRequest['method']): number {
  return Math.max(1, perturbedPasses(method).length);
}

/** Checks a data-parallel replica count (`--data-parallel N`, `dataParallel`). */
export function checkDataParallel(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new OptionError(`--data-parallel (dataParallel) must be a whole number of replicas, at least 1 (got ${n}).`);
  }
}

function checkRequest(req: PlacementRequest, devices: readonly number[]): void {
  if (devices.length === 0) throw new OptionError('--devices needs at least one device index.');
  if (req.kind === 'cpu' && (devices.length > 1 || devices[0] !== 0)) {
    throw new OptionError('--devices applies to --device cuda or webgpu; the CPU is one device (use --threads to size it, --data-parallel to split batches).');
  }
  // onnxruntime-node's WebGPU provider takes no device index (its options have none), so a second
  // entry would silently run on the same adapter.
  if (req.kind === 'webgpu' && (devices.length > 1 || devices[0] !== 0)) {
    throw new OptionError('--devices with --device webgpu can only be 0: the WebGPU provider picks its own adapter; use --device cuda for several GPUs.');
  }
  if (!Number.isInteger(req.cores) || req.cores < 1) throw new OptionError(`cores must be a positive integer (got ${req.cores}).`);
  if (req.dataParallel !== undefined) checkDataParallel(req.dataParallel);
}

/** Decides the placement; throws OptionError for a request that cannot be met. */
export function placePasses(req: PlacementRequest): PassPlacement {
  const devices = req.devices ?? [0];
  checkRequest(req, devices);
  const replicas = req.dataParallel ?? (devices.length > spreadCapacity(req.method) ? devices.length : 1);
  return replicas > 1 ? placeReplicas(req, devices, replicas) : placeOneReplica(req, devices);
}

/** Whether 'auto' runs sessions side by side here (the PARALLEL_AUTO rule). */
function autoConcurrent(req: PlacementRequest, devices: readonly number[]): { concurrent: boolean; why: string } {
  if (devices.length >= 2) return { concurrent: true, why: '' };
  const rule = PARALLEL_AUTO[req.kind];
  if (!rule.oneDevice) return { concurrent: false, why: `on one ${req.kind} device the sessions run one after the other until concurrent sessions are measured faster there` };
  if (req.cores < rule.minCores) return { concurrent: false, why: `concurrent sessions need ${rule.minCores} cores (got ${req.cores})` };
  return { concurrent: true, why: '' };
}

function placeOneReplica(req: PlacementRequest, devices: readonly number[]): PassPlacement {
  const perturbed = perturbedPasses(req.method);
  const main = devices[0];
  const sequential = (reason: string): PassPlacement => ({
    replicas: 1,
    slots: ['w' as PassId, ...perturbed].map((pass): PassSlot => ({ pass, replica: 0, session: 'main', deviceId: main })),
    concurrent: false, mainDevice: main, workers: [], mainThreads: req.cores, workerThreads: req.cores, unusedDevices: devices.slice(1), reason,
  });
  if (perturbed.length < 2) {
    return sequential(perturbed.length === 0 ? 'one pass per step: nothing to run side by side' : 'one perturbed pass per step: nothing to run side by side');
  }
  if ((req.parallel ?? 'auto') === 'off') return sequential('parallel passes are off');
  if ((req.parallel ?? 'auto') === 'auto') {
    const auto = autoConcurrent(req, devices);
    if (!auto.concurrent) return sequential(auto.why);
  }
  // w+e on the first device, w−e on the second when there is one; each worker gets half the cores
  // (its host-side work and the CPU provider's fallback nodes). The main session runs w alone.
  const multi = devices.length >= 2;
  const deviceOf = (k: number): number => (multi ? devices[k] : main);
  const slots: PassSlot[] = [
    { pass: 'w', replica: 0, session: 'main', deviceId: main },
    ...perturbed.map((pass, k): PassSlot => ({ pass, replica: 0, session: `worker${k}`, deviceId: deviceOf(k) })),
  ];
  return {
    replicas: 1, slots, concurrent: true, mainDevice: main,
    workers: perturbed.map((_, k) => ({ deviceId: deviceOf(k) })),
    mainThreads: req.cores,
    workerThreads: Math.max(1, Math.floor(req.cores / perturbed.length)),
    unusedDevices: devices.slice(multi ? perturbed.length : 1),
    reason: multi ? `w+e on device ${devices[0]}, w−e on device ${devices[1]}` : `w+e and w−e in two concurrent sessions on ${req.kind} device ${main}`,
  };
}

/**
 * Data parallel: replica r on device `devices[r mod D]`, its passes one after the other in its own
 * session (replica 0 in the main one), the replicas side by side. Sequential ('off', or 'auto'
 * where concurrent sessions are not measured faster): every replica's shard in the main session in
 * turn, which is the same math.
 */
function placeReplicas(req: PlacementRequest, devices: readonly number[], replicas: number): PassPlacement {
  const passes: PassId[] = ['w', ...perturbedPasses(req.method)];
  const main = devices[0];
  const parallel = req.parallel ?? 'auto';
  const auto = parallel === 'auto' ? autoConcurrent(req, devices) : { concurrent: parallel === 'on', why: 'parallel sessions are off' };
  const deviceOf = (r: number): number => (auto.concurrent ? devices[r % devices.length] : main);
  const sessionOf = (r: number): SessionName => (auto.concurrent && r > 0 ? `worker${r - 1}` : 'main');
  const slots: PassSlot[] = [];
  for (let r = 0; r < replicas; r++) for (const pass of passes) slots.push({ pass, replica: r, session: sessionOf(r), deviceId: deviceOf(r) });
  const used = new Set(slots.map((s) => s.deviceId));
  const threads = auto.concurrent ? Math.max(1, Math.floor(req.cores / replicas)) : req.cores;
  return {
    replicas, slots, concurrent: auto.concurrent, mainDevice: main,
    workers: auto.concurrent ? Array.from({ length: replicas - 1 }, (_, k) => ({ deviceId: deviceOf(k + 1) })) : [],
    mainThreads: threads, workerThreads: threads,
    unusedDevices: devices.filter((d) => !used.has(d)),
    reason: auto.concurrent
      ? `${replicas} data-parallel replicas side by side on ${req.kind} device${devices.length > 1 ? 's' : ''} ${[...used].join(', ')}`
      : `${replicas} data-parallel replicas one after the other in one session: ${auto.why}`,
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

/** The options of every training session of a plan: `main` (the trainer's options) first, then each worker's. */
export function planSessionOptions(plan: PassPlacement, main: ort.InferenceSession.SessionOptions): { readonly session: SessionName; readonly options: ort.InferenceSession.SessionOptions }[] {
  return [
    { session: 'main', options: workerSessionOptions(main, plan.mainDevice, plan.mainThreads) },
    ...plan.workers.map((w, k) => ({ session: `worker${k}` as SessionName, options: workerSessionOptions(main, w.deviceId, plan.workerThreads) })),
  ];
}
