// The pre-exported models in models/ are exactly what tools/export-zoo.ts writes.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../../src/onnx/io';
import { countParameters } from '../../src/zoo';
import { SHIPPED, exportModels } from '../../tools/export-zoo';
import { repoRoot } from './fixture';

const MODELS = path.join(repoRoot(), 'models');

describe('zoo pre-exported models', () => {
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-zoo-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('models/ holds the MLP, LeNet-5, ResNet-20 and the tiny ViT', () => {
    expect(fs.readdirSync(MODELS).filter((f) => f.endsWith('.onnx')).sort()).to.deep.equal(['lenet5.onnx', 'mlp.onnx', 'resnet20.onnx', 'vit-tiny.onnx']);
  });

  it('regenerates byte for byte', () => {
    const files = exportModels(SHIPPED, dir);
    for (const f of files) {
      const name = path.basename(f);
      const committed = fs.readFileSync(path.join(MODELS, name));
      expect(committed.length, `${name} size`).to.be.below(2 * 1024 * 1024);
      expect(Buffer.compare(fs.readFileSync(f), committed), `${name} differs from a fresh export (run npx tsx tools/export-zoo.ts)`).to.equal(0);
    }
  });

  it('the committed files load back with their weights', () => {
    const m = loadModel(path.join(MODELS, 'resnet20.onnx'));
    expect(countParameters(m).parameters).to.equal(272_474);
    expect(m.metadataProps.get('crsam.zoo.name')).to.equal('resnet20');
  });
});
