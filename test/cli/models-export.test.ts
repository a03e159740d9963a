// `crsam models export <name>` writes the model `crsam models` lists (shape and parameters).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { loadModel } from '../../src/onnx/io';
import { countParameters } from '../../src/zoo';
import { repoRoot } from '../repo-root';

describe('cli models export', function () {
  this.timeout(60000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-models-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const crsam = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'crsam.js'), ...args], { encoding: 'utf8', cwd: tmp });

  it('resnet-fmnist: 28×28×1, 77,754 parameters, as listed', () => {
    const listing = crsam('models').stdout.split('\n').find((l) => l.startsWith('resnet-fmnist ')) ?? '';
    expect(listing).to.match(/77,754/);
    expect(listing).to.include('28×28×1');
    const out = path.join(tmp, 'r.onnx');
    const r = crsam('models', 'export', 'resnet-fmnist', '-o', out);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('77,754 parameters');
    const m = loadModel(out);
    expect(countParameters(m).parameters).to.equal(77754);
    expect(buildArtifacts(m).dataInputs[0].shape?.slice(1)).to.deep.equal([1, 28, 28]);
  });
});
