// Parameter counts and forward cost of every zoo entry against the PyTorch definitions of
// tools/zoo_reference.py (test/fixtures/zoo/param-counts.json) and the published counts.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataType } from '../../src/onnx/dtype';
import { ZOO, countParameters, estimateForwardCost, zooNames } from '../../src/zoo';
import { FIXTURES } from './fixture';

interface Reference { readonly models: Record<string, { parameters: number; macs: number }> }
const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'param-counts.json'), 'utf8')) as Reference;

/** Published counts: torchvision's resnet50/101 and vit_b_32, the SAM papers' ResNet-18 and WRN-28-10 on CIFAR-10. */
const PUBLISHED: Record<string, number> = {
  'resnet18-cifar': 11_173_962,
  resnet50: 25_557_032,
  resnet101: 44_549_160,
  'vit-b-32': 88_224_232,
  'wrn-28-10': 36_479_194,
};

describe('zoo parameter counts and forward cost', () => {
  it('the reference covers exactly the zoo table', () => {
    expect(Object.keys(reference.models)).to.have.members(zooNames());
  });

  for (const name of zooNames()) {
    it(`${name}: parameters and MACs equal the PyTorch definition`, () => {
      const e = ZOO[name];
      // Big models: the graph and the shapes only, no sampling.
      const model = e.build({ initialize: false });
      const ref = reference.models[name];
      expect(countParameters(model).parameters, 'parameters').to.equal(ref.parameters);
      if (PUBLISHED[name] !== undefined) expect(ref.parameters).to.equal(PUBLISHED[name]);
      expect(estimateForwardCost(model).macs, 'MACs at batch 1').to.equal(ref.macs);

      expect(model.irVersion).to.equal(8);
      expect(model.opsetImports).to.deep.equal([{ domain: '', version: 17 }]);
      expect(model.graph.nodes.every((n) => n.domain === '')).to.equal(true);
      const d = e.defaults;
      expect(model.graph.inputs).to.deep.equal([{ name: 'input', dtype: DataType.FLOAT, shape: ['N', d.channels, d.inputSize, d.inputSize] }]);
      expect(model.graph.outputs).to.deep.equal([{ name: 'logits', dtype: DataType.FLOAT, shape: ['N', d.numClasses] }]);
      expect(model.metadataProps.get('crsam.zoo.family')).to.be.a('string');
    });
  }

  it('GFLOPs count a multiply-accumulate as two operations; GMACs are the papers\' "GFLOPs"', () => {
    const c = estimateForwardCost(ZOO.resnet50.build({ initialize: false }));
    expect(c.gmacs).to.be.closeTo(4.09, 0.01);
    expect(c.gflops).to.be.closeTo(2 * c.gmacs, 1e-12);
    expect(c.batchSize).to.equal(1);
  });
});
