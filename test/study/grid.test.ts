import { expect } from 'chai';
import { cellName, expandGrid, treatmentOf } from '../../src/study/grid';
import { StudyDefinition, studyCells } from '../../src/study/study-folder';

describe('study grid', () => {
  it('is the product of the axes, first axis slowest, shared flags in every cell', () => {
    const cells = expandGrid({ model: 'mlp', epochs: '2' }, [{ flag: 'optimizer', values: ['sgd', 'crsam'] }, { flag: 'seed', values: ['0', '1', '2'] }]);
    expect(cells.map((c) => c.name)).to.deep.equal(['sgd-seed0', 'sgd-seed1', 'sgd-seed2', 'crsam-seed0', 'crsam-seed1', 'crsam-seed2']);
    expect(cells[4].flags).to.deep.equal({ model: 'mlp', epochs: '2', optimizer: 'crsam', seed: '1' });
    expect(treatmentOf(cells[4])).to.equal('crsam');
  });

  it('names cells by every axis value; the treatment drops the seed', () => {
    const axes = { optimizer: 'sam', rho: '0.05', seed: '2' };
    expect(cellName(axes)).to.equal('sam-rho0.05-seed2');
    expect(treatmentOf({ axes })).to.equal('sam-rho0.05');
  });

  it("applies a preset's per-optimizer flags under the user's", () => {
    const def: StudyDefinition = {
      format: 1, created: '', command: [], geometrySamples: 0,
      shared: { model: 'mlp', beta: '0.5' },
      axes: [{ flag: 'optimizer', values: ['sam', 'crsam'] }],
      perOptimizer: { sam: { rho: '0.05' }, crsam: { rho: '0.1', alpha: '0.1', beta: '0.01' } },
    };
    const [sam, crsam] = studyCells(def);
    expect(sam.flags).to.deep.equal({ rho: '0.05', model: 'mlp', beta: '0.5', optimizer: 'sam' });
    expect(crsam.flags.rho).to.equal('0.1');
    expect(crsam.flags.beta).to.equal('0.5'); // the user's --beta wins over the preset's
  });
});
