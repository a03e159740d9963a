// `crsam train --device-step auto|on|off` end to end: a bad value and an unsupported combination
// end in one sentence before anything is written; a tiny synthetic run with 'on' records the
// device path in run.json and resumes with 'off' from its checkpoint.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectOneSentence, runCrsam } from './run-crsam';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-cli-devstep-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const base = ['train', '--model', 'mlp', '--data', 'synthetic', '--threads', '2', '--batch-size', '16', '--train-limit', '64', '--val-split', '0', '--test-limit', '64'];

function stepPath(out: string): unknown {
  return (JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as { parallelism: { stepPath?: unknown } }).parallelism.stepPath;
}

describe('crsam train --device-step', function () {
  this.timeout(300000);

  it('refuses a value other than auto, on, off in one sentence, writing nothing', () => {
    const out = path.join(tmp, 'bad');
    expectOneSentence(runCrsam([...base, '--epochs', '1', '--device-step', 'gpu', '--out', out]), /--device-step.*auto.*on.*off/);
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("refuses 'on' with --max-grad-norm in one sentence, writing nothing", () => {
    const out = path.join(tmp, 'clip');
    expectOneSentence(runCrsam([...base, '--epochs', '1', '--device-step', 'on', '--max-grad-norm', '1', '--out', out]),
      /^crsam: --device-step on cannot run with --max-grad-norm \(gradient clipping\); leave that option out, or use --device-step off or auto\.?$/);
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("trains with 'on' (CR-SAM, 2 data-parallel replicas), records the device path, and resumes with 'off'", () => {
    const out = path.join(tmp, 'on');
    const r = runCrsam([...base, '--optimizer', 'crsam', '--data-parallel', '2', '--epochs', '1', '--device-step', 'on', '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(stepPath(out)).to.equal('device');
    const resumed = runCrsam(['train', '--resume', out, '--epochs', '2', '--device-step', 'off', '--threads', '2']);
    expect(resumed.code, resumed.stderr).to.equal(0);
    const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics.length, 'a header and one row per epoch').to.be.at.least(3);
  });

  it("'auto' (the default) takes the JavaScript path on the CPU", () => {
    const out = path.join(tmp, 'auto');
    const r = runCrsam([...base, '--optimizer', 'sgd', '--epochs', '1', '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(stepPath(out)).to.equal('js');
  });
});
