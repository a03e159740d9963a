// `crsam compare` hands each cell's flags to a `crsam train` child; a boolean flag must reach it
// with its value (as --name=value), not as a stray argument.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCrsam } from './run-crsam';

describe('crsam compare: flags passed to the runs', function () {
  this.timeout(300000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-compare-flags-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a boolean train flag given a value (--nesterov true) is what the run records', () => {
    const study = path.join(tmp, 'study');
    const r = runCrsam(['compare', '--model', 'mlp', '--data', 'synthetic', '--epochs', '1', '--optimizer', 'sgd', '--seed', '0', '--nesterov', 'true',
      '--train-limit', '64', '--analyze-samples', '0', '--threads', '2', '--study', study]);
    expect(r.code, `${r.stdout}${r.stderr}`).to.equal(0);
    const config = JSON.parse(fs.readFileSync(path.join(study, 'runs', 'run', 'run-config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).to.include({ nesterov: true, optimizer: 'sgd', epochs: 1 });
  });
});
