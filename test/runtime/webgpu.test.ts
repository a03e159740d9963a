// --device webgpu: resolution gives the WebGPU provider or one clear sentence, and where a WebGPU
// adapter exists the training graphs' gradients on it match the CPU's to 1e-4. CI and this
// project's build machine have no adapter (Debian 12's lavapipe is refused by Dawn), so there the
// comparisons are skipped with the reason printed; tools/device-check.sh runs them on a GPU.
import { expect } from 'chai';
import { DeviceError, resolveDevice, sessionOptions, webGpuUnavailableReason } from '../../src/runtime/execution-providers';
import { DEVICE_CHECK_MODELS, compareOnDevice } from '../../tools/device-gradients';

describe('runtime/execution-providers: --device webgpu', function () {
  this.timeout(300000);
  const why = webGpuUnavailableReason();

  it('resolves to the WebGPU provider with the CPU behind it, or refuses in one sentence', () => {
    if (why === undefined) {
      const r = resolveDevice({ device: 'webgpu' });
      expect(r.device).to.equal('webgpu');
      expect(sessionOptions({}, r).executionProviders).to.deep.equal([{ name: 'webgpu' }, 'cpu']);
      return;
    }
    let err: unknown;
    try { resolveDevice({ device: 'webgpu' }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(DeviceError);
    const msg = (err as Error).message;
    expect(msg).to.match(/^--device webgpu cannot run here because .*; use --device cpu/);
    expect(msg.split('. ').length, 'one sentence').to.equal(1);
  });

  it('the CPU-only comparison path finds every node on the CPU and no difference', async () => {
    const r = await compareOnDevice('mlp', 'cpu', 4, 1);
    expect(r.maxRelErr).to.equal(0);
    expect(Object.keys(r.placement)).to.deep.equal(['CPUExecutionProvider']);
    expect(r.placement.CPUExecutionProvider).to.be.above(10);
  });

  for (const model of DEVICE_CHECK_MODELS) {
    it(`${model}: gradients on WebGPU = CPU (1e-4)`, async function () {
      if (why !== undefined) {
        process.stdout.write(`      (skipped: ${why}; run tools/device-check.sh on a machine with a GPU)\n`);
        this.skip();
      }
      const r = await compareOnDevice(model, { name: 'webgpu' }, 8, 1);
      expect(r.maxRelErr, `${model}: worst output ${r.worstOutput}`).to.be.below(1e-4);
    });
  }
});
