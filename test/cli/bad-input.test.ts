// Every bad input ends in one sentence on stderr and a non-zero exit, never a stack trace.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataType } from '../../src/onnx/dtype';
import { Model, Node } from '../../src/onnx/ir';
import { saveModel } from '../../src/onnx/io';
import { repoRoot } from '../repo-root';
import { expectOneSentence, runCrsam } from './run-crsam';

const crsam = (...args: string[]) => runCrsam(args);

const root = repoRoot();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-cli-'));



function model(nodes: Node[], outputShape: (number | string)[], inits: [string, number[]][] = [['w', [4, 3]]]): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 't', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(),
    graph: {
      name: 'g', nodes, valueInfo: new Map(),
      inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: ['N', 4] }],
      outputs: [{ name: 'y', dtype: DataType.FLOAT, shape: outputShape }],
      initializers: new Map(inits.map(([n, dims]) => [n, { name: n, dtype: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1) }])),
    },
  };
}
const node = (opType: string, inputs: string[], outputs: string[], name = `${opType}_0`): Node => ({ opType, domain: '', name, inputs, outputs, attributes: new Map() });

describe('crsam command line: bad input', () => {
  it('a missing model file', () => expectOneSentence(crsam('artifacts', path.join(tmp, 'nope.onnx')), /does not exist/));

  for (const command of ['analyze', 'landscape']) {
    it(`crsam ${command}: a missing model is refused before the data set is read`, () => {
      const r = crsam(command, path.join(tmp, 'nope.onnx'), '--data', 'fashion-mnist');
      expectOneSentence(r, /does not exist/);
      expect(r.stdout).to.not.match(/reading/);
    });
  }

  it('crsam analyze: a missing --compare model is refused before the data set is read', () => {
    const r = crsam('analyze', path.join(root, 'models', 'mlp.onnx'), '--compare', path.join(tmp, 'nope.onnx'), '--data', 'fashion-mnist');
    expectOneSentence(r, /nope\.onnx does not exist/);
    expect(r.stdout).to.not.match(/reading/);
  });

  it('a truncated model file', () => {
    const bytes = fs.readFileSync(path.join(root, 'test', 'fixtures', 'torch', 'resnet', 'model.onnx'));
    const f = path.join(tmp, 'cut.onnx');
    fs.writeFileSync(f, bytes.subarray(0, 2000));
    expectOneSentence(crsam('artifacts', f, '-o', path.join(tmp, 'a1')), /truncated or corrupt/);
  });

  it('an op with no gradient rule names the op, the node and the opset, and lists what is supported', () => {
    const f = path.join(tmp, 'norule.onnx');
    saveModel(model([node('MatMul', ['x', 'w'], ['h']), node('Hardmax', ['h'], ['y'], 'my_hardmax')], ['N', 3]), f);
    expectOneSentence(crsam('artifacts', f, '-o', path.join(tmp, 'a2')), /op Hardmax \(node 'my_hardmax', opset 17\); supported ops: .*Conv.*MatMul/);
  });

  it('a model whose output is not class scores', () => {
    const f = path.join(tmp, 'scalar.onnx');
    saveModel(model([node('MatMul', ['x', 'w'], ['h']), node('ReduceSum', ['h'], ['y'])], []), f);
    expectOneSentence(crsam('artifacts', f, '-o', path.join(tmp, 'a3')), /not class scores/);
  });

  it('a model with no trainable parameters', () => {
    const f = path.join(tmp, 'noparams.onnx');
    saveModel(model([node('Relu', ['x'], ['y'])], ['N', 4], []), f);
    expectOneSentence(crsam('artifacts', f, '-o', path.join(tmp, 'a4')), /no trainable parameters/);
  });

  it('an unknown flag', () => expectOneSentence(crsam('train', '--epochz', '3'), /unknown flag --epochz/));
  it('a bad flag value', () => expectOneSentence(crsam('train', '--lr', 'fast'), /--lr must be a number/));
  it('a value out of range', () => expectOneSentence(crsam('train', '--rho', '0', '--out', path.join(tmp, 'r0')), /--rho must be above 0/));
  it('an unknown command', () => expectOneSentence(crsam('trian'), /unknown command 'trian'/));
  it('a missing data folder', () => expectOneSentence(crsam('train', '--data', 'cifar10', '--data-dir', path.join(tmp, 'nocifar'), '--out', path.join(tmp, 'r1')), /cifar/i));
  it('a model whose class count disagrees with the data set', () => {
    const f = path.join(tmp, 'three.onnx');
    saveModel(model([node('Flatten', ['x'], ['xf']), node('MatMul', ['xf', 'w'], ['y'])], ['N', 3]), f);
    // Input [N,4] cannot take images either, but the class count is checked first.
    expectOneSentence(crsam('train', '--model', f, '--epochs', '1', '--out', path.join(tmp, 'r2')), /3 output classes but fashion-mnist has 10/);
  });
  it('a corrupt checkpoint', () => {
    const d = path.join(tmp, 'run');
    fs.mkdirSync(path.join(d, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(d, 'forward_model.onnx'), fs.readFileSync(path.join(root, 'models', 'mlp.onnx')));
    fs.writeFileSync(path.join(d, 'checkpoints', 'last.ckpt'), 'garbage');
    expectOneSentence(crsam('export', d, '-o', path.join(tmp, 'e.onnx')), /not a crsam checkpoint/);
  });
  it('--device cuda without the CUDA provider', () => expectOneSentence(crsam('eval', path.join(root, 'models', 'mlp.onnx'), '--device', 'cuda'), /CUDA provider.*not installed.*ONNXRUNTIME_NODE_INSTALL=cuda12/));
  it('--help explains every flag with its default', () => {
    const r = crsam('train', '--help');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/--rho NUMBER\s+SAM\/CR-SAM perturbation radius ρ \(default: 0.1\)/);
    expect(r.stdout).to.match(/--optimizer STRING.*\[sgd \| sam \| asam \| crsam\] \(default: crsam\)/);
  });
});

describe('crsam train: config file', () => {
  it('reads flags from a JSON file, command-line flags override it, and unknown keys are refused', () => {
    const cfg = path.join(tmp, 'run.json');
    fs.writeFileSync(cfg, JSON.stringify({ model: 'mlp', data: 'synthetic', epochs: 1, 'batch-size': 64, optimizer: 'sam', lr: 1e9 }));
    const out = path.join(tmp, 'cfgrun');
    // lr 1e9 from the file would diverge; the command line's --lr wins.
    const r = crsam('train', '--config', cfg, '--lr', '0.05', '--out', out);
    expect(r.code, r.stderr).to.equal(0);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'run-config.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).to.include({ model: 'mlp', data: 'synthetic', optimizer: 'sam', lr: 0.05, 'batch-size': 64, epochs: 1 });
    fs.writeFileSync(cfg, JSON.stringify({ epochz: 3 }));
    expectOneSentence(crsam('train', '--config', cfg, '--out', out), /has the key 'epochz', which is not a flag/);
  });
});
