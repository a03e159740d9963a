// The session options every session starts with (sessionOptions, the one place they are built):
// on the CPU ORT's memory pattern is off, for the main training session and every worker session a
// plan derives from it, since it more than doubled a training step's peak memory (BENCHMARKS.md,
// "Peak memory (issue 16)"); the CPU arena stays on, and GPU sessions keep ORT's default.
import { expect } from 'chai';
import { sessionOptions } from '../../src/runtime/execution-providers';
import { placePasses, planSessionOptions } from '../../src/runtime/pass-placement';

describe('runtime/execution-providers: session options', () => {
  it('turns the memory pattern off on the CPU, in the main session and in every worker session', () => {
    const main = sessionOptions({ threads: 2 });
    expect(main.enableMemPattern).to.equal(false);
    expect(main.enableCpuMemArena, 'the CPU arena keeps ORT default').to.equal(undefined);
    const plan = placePasses({ method: 'crsam', kind: 'cpu', cores: 2, parallel: 'on' });
    const all = planSessionOptions(plan, main);
    expect(all.length).to.equal(3);
    for (const s of all) expect(s.options.enableMemPattern, s.session).to.equal(false);
  });

  it('leaves the memory pattern to ORT on a GPU, where it was not measured', () => {
    expect(sessionOptions({}, { device: 'cuda', deviceId: 0 }).enableMemPattern).to.equal(true);
    expect(sessionOptions({}, { device: 'webgpu', deviceId: 0 }).enableMemPattern).to.equal(true);
  });
});
