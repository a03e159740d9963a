// Which ONNX Runtime execution provider a session uses, and the session options we pass.
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

export type Device = 'cpu' | 'cuda' | 'auto';

export interface SessionConfig {
  /** 'cpu' (default), 'cuda', or 'auto' (CUDA when installed, else CPU with a note). */
  readonly device?: Device;
  /** CUDA device index. Default: 0. */
  readonly deviceId?: number;
  /** Intra-op threads per session; 0 lets ONNX Runtime choose. Default: the number of cores. */
  readonly threads?: number;
  /** ONNX Runtime graph optimization level. Default: 'all'. */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export class DeviceError extends CrsamError {
  override readonly name = 'DeviceError';
}

export interface ResolvedDevice {
  readonly device: 'cpu' | 'cuda';
  readonly deviceId: number;
  /** Set when 'auto' fell back to CPU, for the CLI to show. */
  readonly note?: string;
}

export const CUDA_INSTALL_HINT = 'fetch its CUDA provider with: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js (needs CUDA 12 and cuDNN 9 on the machine)';

/** True when onnxruntime-node's CUDA provider library is present next to its binding. */
export function cudaInstalled(): boolean {
  if (os.platform() !== 'linux' && os.platform() !== 'win32') return false;
  try {
    const dir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const bin = path.join(dir, 'bin', 'napi-v6', os.platform(), os.arch());
    const lib = os.platform() === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return fs.existsSync(path.join(bin, lib));
  } catch {
    return false;
  }
}

export function resolveDevice(config: SessionConfig): ResolvedDevice {
  const want = config.device ?? 'cpu';
  const deviceId = config.deviceId ?? 0;
  if (want === 'cpu') return { device: 'cpu', deviceId };
  if (cudaInstalled()) return { device: 'cuda', deviceId };
  if (want === 'auto') return { device: 'cpu', deviceId, note: `CUDA is not available here, so crsam runs on the CPU (to use a GPU, ${CUDA_INSTALL_HINT})` };
  throw new DeviceError(`--device cuda needs onnxruntime-node's CUDA provider, which is not installed; ${CUDA_INSTALL_HINT}, or use --device auto to fall back to the CPU`);
}

export function sessionOptions(config: SessionConfig, resolved: ResolvedDevice = resolveDevice(config)): ort.InferenceSession.SessionOptions {
  const threads = config.threads ?? os.availableParallelism();
  return {
    executionProviders: resolved.device === 'cuda' ? [{ name: 'cuda', deviceId: resolved.deviceId }, 'cpu'] : ['cpu'],
    graphOptimizationLevel: config.graphOptimizationLevel ?? 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Warnings such as "Removing initializer ..." describe ORT's own graph clean-up, not a problem
    // of the user's; errors still come through.
    logSeverityLevel: 3,
    // Idle ORT threads spin by default; with CR-SAM's sessions sharing two cores, spinning
    // threads steal the cores the other session needs (measured: 850 → 620 ms per ResNet-20 pass).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}
