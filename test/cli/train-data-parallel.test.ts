// `crsam train --data-parallel N` and `--devices LIST`: bad values end in one sentence before
// anything is written; a data-parallel run records its replicas in run-config.json and run.json.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectOneSentence, runCrsam } from './run-crsam';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-cli-dp-'));
const base = ['train', '--model', 'mlp', '--data', 'synthetic', '--epochs', '1', '--threads', '2'];

describe('crsam train --data-parallel / --devices', () => {
  const cases: [string, string[], RegExp][] = [
    ['N < 1', ['--data-parallel', '0'], /^crsam: --data-parallel must be at least 1, got 0$/],
    ['N not a whole number', ['--data-parallel', '1.5'], /--data-parallel/],
    ['N above the batch', ['--data-parallel', '9', '--batch-size', '8'], /^crsam: --data-parallel 9 is more replicas than the 8 images of a batch; use at most --batch-size replicas$/],
    ['--devices with the CPU', ['--devices', '0,1'], /^crsam: --devices applies to --device cuda; on the CPU use --data-parallel N to split batches across replicas$/],
    ['a bad device list', ['--device', 'auto', '--devices', '0,x'], /^crsam: --devices must be a comma-separated list of device indices such as 0,1 \(got '0,x'\)\.$/],
    ['a repeated device', ['--device', 'auto', '--devices', '1,1'], /lists a device twice/],
    ['--device-id with --devices', ['--device', 'auto', '--devices', '0,1', '--device-id', '2'], /^crsam: --device-id and --devices both name the main device/],
  ];
  for (const [what, flags, pattern] of cases) {
    it(`refuses ${what} in one sentence, writing nothing`, () => {
      const out = path.join(tmp, what.replace(/\W+/g, '-'));
      expectOneSentence(runCrsam([...base, ...flags, '--out', out]), pattern);
      expect(fs.existsSync(out)).to.equal(false);
    });
  }

  it('trains on 2 replicas and records them', () => {
    const out = path.join(tmp, 'ok');
    const r = runCrsam([...base, '--optimizer', 'crsam', '--data-parallel', '2', '--batch-size', '16', '--train-limit', '64', '--val-split', '0', '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/crsam on 2 data-parallel replicas, in /);
    expect((JSON.parse(fs.readFileSync(path.join(out, 'run-config.json'), 'utf8')) as Record<string, unknown>)['data-parallel']).to.equal(2);
    const rec = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as { parallelism: { replicas: number } };
    expect(rec.parallelism.replicas).to.equal(2);
  });
});
