// Which ONNX Runtime execution provider a session uses, and the session options we pass.
import { CrsamError } from '../core/errors';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { stepGraphBytes } from '../graphs/step-graphs';

export type Device = 'cpu' | 'cuda' | 'webgpu' | 'auto';

export interface SessionConfig {
  /** 'cpu' (default), 'cuda', 'webgpu' (ORT's Dawn provider; needs a WebGPU adapter), or 'auto' (CUDA when installed, else CPU with a note). */
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
  readonly device: 'cpu' | 'cuda' | 'webgpu';
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

let webGpuProbe: string | undefined | null = null;

/**
 * Why ORT's WebGPU provider cannot run here, or undefined when it can. Dawn finds its adapter only
 * when a session is created, which is asynchronous and prints Dawn's own warnings; a child process
 * creates one on a tiny graph so that device resolution stays synchronous and quiet (once per
 * process, ~1 s). Measured here: Debian 12's lavapipe (Mesa 22.3) is refused by Dawn
 * ("Vulkan shaderUniform*ArrayDynamicIndexing required"), so CPU-only machines report unavailable.
 */
export function webGpuUnavailableReason(): string | undefined {
  if (webGpuProbe !== null) return webGpuProbe;
  const script = `const ort=require(${JSON.stringify(require.resolve('onnxruntime-node'))});`
    + `ort.InferenceSession.create(Buffer.from(process.argv[1],'base64'),{executionProviders:['webgpu'],logSeverityLevel:4})`
    + `.then(()=>process.exit(0),(e)=>{process.stdout.write(String(e&&e.message||e));process.exit(1);});`;
  try {
    execFileSync(process.execPath, ['-e', script, Buffer.from(stepGraphBytes('sumSquares')).toString('base64')], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
    webGpuProbe = undefined;
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? '';
    webGpuProbe = /adapter/i.test(out) ? 'no WebGPU adapter was found' : (out.split('\n')[0] || 'the WebGPU provider failed to start');
  }
  return webGpuProbe;
}

export function resolveDevice(config: SessionConfig): ResolvedDevice {
  const want = config.device ?? 'cpu';
  const deviceId = config.deviceId ?? 0;
  if (want === 'cpu') return { device: 'cpu', deviceId };
  if (want === 'webgpu') {
    const why = webGpuUnavailableReason();
    if (why === undefined) return { device: 'webgpu', deviceId };
    throw new DeviceError(`--device webgpu cannot run here because ${why} (Dawn needs a Vulkan GPU driver on Linux); use --device cpu, or a machine with a GPU and its Vulkan driver`);
  }
  if (cudaInstalled()) return { device: 'cuda', deviceId };
  if (want === 'auto') return { device: 'cpu', deviceId, note: `CUDA is not available here, so crsam runs on the CPU (to use a GPU, ${CUDA_INSTALL_HINT})` };
  throw new DeviceError(`--device cuda needs onnxruntime-node's CUDA provider, which is not installed; ${CUDA_INSTALL_HINT}, or use --device auto to fall back to the CPU`);
}

export function sessionOptions(config: SessionConfig, resolved: ResolvedDevice = resolveDevice(config)): ort.InferenceSession.SessionOptions {
  const threads = config.threads ?? os.availableParallelism();
  return {
    executionProviders: providers(resolved),
    graphOptimizationLevel: config.graphOptimizationLevel ?? 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // ORT's memory pattern (a block pre-planned per input shape, held in the CPU arena) made a
    // training step's peak memory 1.6–1.8× what it is without (BENCHMARKS.md, "Peak memory (issue
    // 16)", batch 128): off, ResNet-20's SGD step peaks at ~435 instead of ~723 MiB and the ViT's at
    // ~515 instead of ~895 MiB (PyTorch: ~550–605 / ~620–650), CR-SAM with parallel workers at
    // 1.07 / 1.36 instead of 1.94 / 2.50 GiB; step CPU time did not get worse (paired ratios
    // 0.81–1.09). GPU sessions keep ORT's default: not measured there.
    enableMemPattern: resolved.device !== 'cpu',
    // Warnings such as "Removing initializer ..." describe ORT's own graph clean-up, not a problem
    // of the user's; errors still come through.
    logSeverityLevel: 3,
    // Idle ORT threads spin by default; with CR-SAM's sessions sharing two cores, spinning
    // threads steal the cores the other session needs (measured: 850 → 620 ms per ResNet-20 pass).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** The provider list of a resolved device; ORT places any node the first provider lacks on the CPU. */
function providers(resolved: ResolvedDevice): ort.InferenceSession.ExecutionProviderConfig[] {
  if (resolved.device === 'cuda') return [{ name: 'cuda', deviceId: resolved.deviceId }, 'cpu'];
  if (resolved.device === 'webgpu') return [{ name: 'webgpu' }, 'cpu'];
  return ['cpu'];
}
