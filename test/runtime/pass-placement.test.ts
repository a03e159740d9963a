// The placement rule of docs/pass-placement.md, case by case.
import { expect } from 'chai';
import { OptionError } from '../../src/core/option-error';
import { parseDevices, placePasses, workerSessionOptions } from '../../src/runtime/pass-placement';

describe('runtime/pass-placement', () => {
  it('parses --devices and refuses malformed or repeated indices', () => {
    expect(parseDevices('0,1')).to.deep.equal([0, 1]);
    expect(parseDevices(' 3 ')).to.deep.equal([3]);
    for (const bad of ['', '0,', 'a', '-1', '0,0', '1.5']) expect(() => parseDevices(bad), bad).to.throw(OptionError);
  });

  it('CPU, CR-SAM, 2 cores, auto: w in main, w±e in two workers with a core each', () => {
    const p = placePasses({ method: 'crsam', kind: 'cpu', cores: 2 });
    expect(p.concurrent).to.equal(true);
    expect(p.slots).to.deep.equal([
      { pass: 'w', session: 'main', deviceId: 0 }, { pass: 'w+e', session: 'worker0', deviceId: 0 }, { pass: 'w-e', session: 'worker1', deviceId: 0 },
    ]);
    expect(p.workerThreads).to.equal(1);
  });

  it('CPU with 1 core, or parallel off, or SAM/SGD: everything in the main session', () => {
    for (const p of [
      placePasses({ method: 'crsam', kind: 'cpu', cores: 1 }),
      placePasses({ method: 'crsam', kind: 'cpu', cores: 8, parallel: 'off' }),
      placePasses({ method: 'sam', kind: 'cpu', cores: 8, parallel: 'on' }),
      placePasses({ method: 'sgd', kind: 'cpu', cores: 8 }),
    ]) {
      expect(p.concurrent).to.equal(false);
      expect(p.workers).to.deep.equal([]);
      expect(p.slots.every((s) => s.session === 'main')).to.equal(true);
    }
  });

  it('one GPU, auto: sequential until measured; on: two concurrent sessions on that GPU', () => {
    expect(placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [2] }).concurrent).to.equal(false);
    expect(placePasses({ method: 'crsam', kind: 'webgpu', cores: 16 }).concurrent).to.equal(false);
    const on = placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [2], parallel: 'on' });
    expect(on.workers).to.deep.equal([{ deviceId: 2 }, { deviceId: 2 }]);
    expect(on.workerThreads).to.equal(8);
  });

  it('--devices 0,1: w+e on device 0, w−e on device 1, extra devices reported unused', () => {
    const p = placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [0, 1, 3] });
    expect(p.concurrent).to.equal(true);
    expect(p.slots.map((s) => [s.pass, s.deviceId])).to.deep.equal([['w', 0], ['w+e', 0], ['w-e', 1]]);
    expect(p.unusedDevices).to.deep.equal([3]);
    expect(placePasses({ method: 'sam', kind: 'cuda', cores: 16, devices: [0, 1] }).unusedDevices).to.deep.equal([1]);
  });

  it('refuses --devices on the CPU', () => {
    expect(() => placePasses({ method: 'crsam', kind: 'cpu', cores: 2, devices: [0, 1] })).to.throw(OptionError, /CPU is one device/);
  });

  it('worker session options keep the main provider list, with the worker device and threads', () => {
    const main = { executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'], graphOptimizationLevel: 'all' as const, intraOpNumThreads: 16 };
    const w = workerSessionOptions(main, 1, 8);
    expect(w.executionProviders).to.deep.equal([{ name: 'cuda', deviceId: 1 }, 'cpu']);
    expect(w.intraOpNumThreads).to.equal(8);
    expect(w.graphOptimizationLevel).to.equal('all');
    expect(workerSessionOptions({ executionProviders: [{ name: 'webgpu' }, 'cpu'] }, 0, 2).executionProviders).to.deep.equal([{ name: 'webgpu' }, 'cpu']);
  });
});
