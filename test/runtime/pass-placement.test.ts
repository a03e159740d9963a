// The placement rule of docs/pass-placement.md, case by case: which session and device runs each
// pass of each data-parallel replica, and the session options each session gets (inspected, no GPU).
import { expect } from 'chai';
import * as path from 'node:path';
import { OptionError } from '../../src/core/option-error';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { loadModel, serializeModel } from '../../src/onnx/io';
import { sessionOptions } from '../../src/runtime/execution-providers';
import { OrtGradientOracle } from '../../src/runtime/ort-oracle';
import { ParameterStore } from '../../src/runtime/parameter-store';
import { parseDevices, placePasses, planSessionOptions, workerSessionOptions } from '../../src/runtime/pass-placement';
import { repoRoot } from '../repo-root';

const cudaMain = { executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'], graphOptimizationLevel: 'all' as const, intraOpNumThreads: 16 };

describe('runtime/pass-placement', () => {
  it('parses --devices and refuses malformed or repeated indices', () => {
    expect(parseDevices('0,1')).to.deep.equal([0, 1]);
    expect(parseDevices(' 3 ')).to.deep.equal([3]);
    for (const bad of ['', '0,', 'a', '-1', '0,0', '1.5']) expect(() => parseDevices(bad), bad).to.throw(OptionError);
  });

  it('CPU, CR-SAM, 2 cores, auto: w in main, w±e in two workers with a core each', () => {
    const p = placePasses({ method: 'crsam', kind: 'cpu', cores: 2 });
    expect(p.concurrent).to.equal(true);
    expect(p.replicas).to.equal(1);
    expect(p.slots).to.deep.equal([
      { pass: 'w', replica: 0, session: 'main', deviceId: 0 }, { pass: 'w+e', replica: 0, session: 'worker0', deviceId: 0 }, { pass: 'w-e', replica: 0, session: 'worker1', deviceId: 0 },
    ]);
    expect(p.workerThreads).to.equal(1);
    expect(p.mainThreads).to.equal(2);
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

  it('one GPU, auto: sequential until measured; on: one session per perturbed pass on that GPU', () => {
    expect(placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [2] }).concurrent).to.equal(false);
    expect(placePasses({ method: 'crsam', kind: 'webgpu', cores: 16 }).concurrent).to.equal(false);
    const on = placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [2], parallel: 'on' });
    expect(on.workers).to.deep.equal([{ deviceId: 2 }, { deviceId: 2 }]);
    expect(on.workerThreads).to.equal(8);
    expect(on.mainDevice).to.equal(2);
  });

  it('--devices 0,1 with CR-SAM: w+e on device 0, w−e on device 1; with SAM or SGD: a replica per device', () => {
    const p = placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [0, 1] });
    expect(p.concurrent).to.equal(true);
    expect(p.replicas).to.equal(1);
    expect(p.slots.map((s) => [s.pass, s.deviceId, s.session])).to.deep.equal([['w', 0, 'main'], ['w+e', 0, 'worker0'], ['w-e', 1, 'worker1']]);
    expect(p.unusedDevices).to.deep.equal([]);
    for (const method of ['sam', 'sgd'] as const) {
      const dp = placePasses({ method, kind: 'cuda', cores: 16, devices: [0, 1] });
      expect(dp.replicas, method).to.equal(2);
      expect(dp.workers).to.deep.equal([{ deviceId: 1 }]);
      expect(dp.slots.filter((s) => s.replica === 1).every((s) => s.session === 'worker0' && s.deviceId === 1)).to.equal(true);
    }
  });

  it('more devices than CR-SAM has perturbed passes: one replica per device, side by side', () => {
    const p = placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [0, 1, 3] });
    expect(p.replicas).to.equal(3);
    expect(p.concurrent).to.equal(true);
    expect(p.workers).to.deep.equal([{ deviceId: 1 }, { deviceId: 3 }]);
    expect(p.slots.filter((s) => s.replica === 2).map((s) => [s.pass, s.session, s.deviceId])).to.deep.equal([['w', 'worker1', 3], ['w+e', 'worker1', 3], ['w-e', 'worker1', 3]]);
    expect(p.workerThreads).to.equal(5);
    // An explicit replica count wins: one replica keeps the pass split and leaves device 3 unused;
    // four replicas go round the devices.
    const one = placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [0, 1, 3], dataParallel: 1 });
    expect([one.replicas, one.unusedDevices]).to.deep.equal([1, [3]]);
    const four = placePasses({ method: 'sgd', kind: 'cuda', cores: 16, devices: [0, 1], dataParallel: 4 });
    expect(four.workers.map((w) => w.deviceId)).to.deep.equal([1, 0, 1]);
  });

  it('CPU data parallel: concurrent from 2 cores with the cores split, sequential in the main session otherwise', () => {
    const p = placePasses({ method: 'crsam', kind: 'cpu', cores: 2, dataParallel: 2 });
    expect([p.replicas, p.concurrent, p.workers.length, p.mainThreads, p.workerThreads]).to.deep.equal([2, true, 1, 1, 1]);
    for (const q of [placePasses({ method: 'crsam', kind: 'cpu', cores: 1, dataParallel: 2 }), placePasses({ method: 'sgd', kind: 'cpu', cores: 8, dataParallel: 3, parallel: 'off' })]) {
      expect(q.concurrent).to.equal(false);
      expect(q.workers).to.deep.equal([]);
      expect(q.slots.every((s) => s.session === 'main')).to.equal(true);
      expect(q.mainThreads).to.equal(q.workerThreads);
    }
    // One GPU with --data-parallel 2: one after the other until measured, side by side with 'on'.
    expect(placePasses({ method: 'sgd', kind: 'cuda', cores: 4, dataParallel: 2 }).concurrent).to.equal(false);
    expect(placePasses({ method: 'sgd', kind: 'cuda', cores: 4, dataParallel: 2, parallel: 'on' }).workers).to.deep.equal([{ deviceId: 0 }]);
  });

  it('refuses --devices on the CPU, several WebGPU devices, and a replica count below 1', () => {
    expect(() => placePasses({ method: 'crsam', kind: 'cpu', cores: 2, devices: [0, 1] })).to.throw(OptionError, /CPU is one device/);
    expect(() => placePasses({ method: 'crsam', kind: 'webgpu', cores: 2, devices: [0, 1] })).to.throw(OptionError, /WebGPU provider picks its own adapter/);
    for (const bad of [0, -2, 2.5, NaN]) expect(() => placePasses({ method: 'sgd', kind: 'cpu', cores: 2, dataParallel: bad }), String(bad)).to.throw(OptionError, /--data-parallel/);
  });

  it('worker session options keep the main provider list, with the worker device and threads', () => {
    const w = workerSessionOptions(cudaMain, 1, 8);
    expect(w.executionProviders).to.deep.equal([{ name: 'cuda', deviceId: 1 }, 'cpu']);
    expect(w.intraOpNumThreads).to.equal(8);
    expect(w.graphOptimizationLevel).to.equal('all');
    expect(workerSessionOptions({ executionProviders: [{ name: 'webgpu' }, 'cpu'] }, 0, 2).executionProviders).to.deep.equal([{ name: 'webgpu' }, 'cpu']);
  });

  it('every session of a CUDA plan gets the main options on its own device (pass split and replicas)', () => {
    const split = planSessionOptions(placePasses({ method: 'crsam', kind: 'cuda', cores: 16, devices: [0, 1] }), cudaMain);
    expect(split.map((s) => [s.session, s.options.executionProviders, s.options.intraOpNumThreads])).to.deep.equal([
      ['main', [{ name: 'cuda', deviceId: 0 }, 'cpu'], 16],
      ['worker0', [{ name: 'cuda', deviceId: 0 }, 'cpu'], 8],
      ['worker1', [{ name: 'cuda', deviceId: 1 }, 'cpu'], 8],
    ]);
    const replicas = planSessionOptions(placePasses({ method: 'sam', kind: 'cuda', cores: 16, devices: [2, 5, 7] }), { ...cudaMain, executionProviders: [{ name: 'cuda', deviceId: 2 }, 'cpu'] });
    expect(replicas.map((s) => [s.session, (s.options.executionProviders?.[0] as { deviceId: number }).deviceId, s.options.intraOpNumThreads])).to.deep.equal([
      ['main', 2, 5], ['worker0', 5, 5], ['worker1', 7, 5],
    ]);
    for (const s of replicas) expect(s.options.graphOptimizationLevel).to.equal('all');
  });

  it('the oracle creates its sessions with the options of its plan (CPU, 2 replicas)', async () => {
    const artifacts = buildArtifacts(loadModel(path.join(repoRoot(), 'models', 'mlp.onnx')));
    const store = new ParameterStore(artifacts.params, artifacts.buffers, artifacts.initialValues);
    const plan = placePasses({ method: 'crsam', kind: 'cpu', cores: 2, dataParallel: 2 });
    const main = sessionOptions({ threads: 2 });
    const oracle = await OrtGradientOracle.create(serializeModel(artifacts.trainingModel), store.layout(artifacts.trainingContract), store, { sessionOptions: main, placement: plan });
    try {
      expect(oracle.sessionOptions).to.deep.equal(planSessionOptions(plan, main));
      expect(oracle.sessionOptions.map((s) => s.options.intraOpNumThreads)).to.deep.equal([1, 1]);
      expect(oracle.parallel).to.equal(true);
    } finally {
      await oracle.close();
    }
  });
});
