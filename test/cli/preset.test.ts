// `crsam train --preset`: the preset's shared and per-optimizer flags, under the user's flags.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCrsam } from './run-crsam';

const crsam = (...args: string[]) => runCrsam(args, { timeout: 300000 });


describe('crsam train --preset', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-preset-'));

  it("takes the preset's flags for the chosen optimizer; flags given override them", () => {
    const out = path.join(tmp, 'sam');
    const r = crsam('train', '--preset', 'fashion-mnist-mlp-cpu', '--optimizer', 'sam', '--data', 'synthetic', '--epochs', '1', '--val-split', '0', '--out', out);
    expect(r.code, r.stderr).to.equal(0);
    const c = JSON.parse(fs.readFileSync(path.join(out, 'run-config.json'), 'utf8')) as Record<string, unknown>;
    expect(c.rho).to.equal(0.05); // SAM's ρ in the preset (CR-SAM's is 0.1)
    expect(c.lr).to.equal(0.05);
    expect(c['weight-decay']).to.equal(0.0005);
    expect(c.model).to.equal('mlp');
    expect(c.data).to.equal('synthetic'); // the flag wins over the preset's fashion-mnist
    expect(c.epochs).to.equal(1);
  });

  it('an unknown preset is one sentence', () => {
    const r = crsam('train', '--preset', 'nope', '--out', path.join(tmp, 'x'));
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/^crsam: there is no preset 'nope'; the presets are: .*fashion-mnist-mlp-cpu/);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
  });
});
