// The command line's parser and help: every flag of every command in its group of `--help`,
// `crsam help <command>` as `crsam <command> --help`, and "did you mean" for typos.
import { expect } from 'chai';
import { OPTION_GROUPS } from '../../src/core/option-schema';
import { CommandSpec, UsageError, parseArgs } from '../../src/cli/args';
import { analyzeSpec } from '../../src/cli/analyze-command';
import { artifactsSpec } from '../../src/cli/artifacts-command';
import { compareSpec } from '../../src/cli/compare-command';
import { landscapeSpec } from '../../src/cli/landscape-command';
import { evalSpec, exportSpec, modelsSpec } from '../../src/cli/model-commands';
import { trainSpec } from '../../src/cli/train-command';
import { TRAIN_OPTIONS } from '../../src/train/train-options';
import { runCli } from './in-process';
import { expectOneSentence, runCrsam } from './run-crsam';

const SPECS: CommandSpec[] = [trainSpec, evalSpec, exportSpec, modelsSpec, artifactsSpec, analyzeSpec, landscapeSpec, compareSpec];

/** The help's sections: group title → the flag names listed under it. */
function helpSections(help: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  for (const block of help.trim().split('\n\n')) {
    const [title, ...lines] = block.split('\n');
    if (!/^[a-z]+:$/.test(title)) continue;
    sections.set(title.slice(0, -1), lines.map((l) => /^\s+(?:-\w, )?--([\w-]+)/.exec(l)?.[1] ?? `unparsed: ${l}`));
  }
  return sections;
}

describe('crsam command line: flags and help', () => {
  it('every option of the training schema is in `crsam train --help`, with its default', async () => {
    const { code, out } = await runCli(['train', '--help']);
    expect(code).to.equal(0);
    for (const [name, spec] of Object.entries(TRAIN_OPTIONS)) {
      const line = out.split('\n').find((l) => new RegExp(`^\\s+(-\\w, )?--${name}( |$)`).test(l));
      expect(line, `--${name} is missing from the help`).to.be.a('string');
      if ('default' in spec) expect(line, name).to.match(/\(default: [^)]/);
    }
  });

  it("each command's help lists every flag under its group, the groups in order", async () => {
    for (const spec of SPECS) {
      const { code, out } = await runCli([spec.name, '--help']);
      expect(code, spec.name).to.equal(0);
      const sections = helpSections(out);
      const titles = [...sections.keys()];
      expect(titles.slice(0, -1), spec.name).to.deep.equal(OPTION_GROUPS.filter((g) => titles.includes(g)));
      expect(titles[titles.length - 1]).to.equal('help');
      for (const [name, f] of Object.entries(spec.flags)) expect(sections.get(f.group), `crsam ${spec.name} --${name}`).to.include(name);
      const listed = [...sections.values()].flat();
      expect(listed.length, spec.name).to.equal(Object.keys(spec.flags).length + 1);
    }
    expect(helpSections((await runCli(['train', '--help'])).out).get('optimizer')).to.include.members(['rho', 'alpha', 'beta', 'optimizer']);
  });

  it('`crsam help <command>` prints what `crsam <command> --help` does', async () => {
    for (const spec of SPECS) {
      const viaHelp = await runCli(['help', spec.name]);
      const viaFlag = await runCli([spec.name, '--help']);
      expect(viaHelp.code).to.equal(0);
      expect(viaHelp.out, spec.name).to.equal(viaFlag.out);
    }
    expect((await runCli(['help'])).out).to.match(/^crsam: train ONNX models/);
  });

  it('a mistyped flag or command gets one sentence with a suggestion and a non-zero exit', () => {
    const flag = runCrsam(['train', '--epochz', '3']);
    expectOneSentence(flag, /^crsam: unknown flag --epochz for 'crsam train'; did you mean --epochs\?$/);
    expect(flag.code).to.equal(2);
    expectOneSentence(runCrsam(['analyze', 'm.onnx', '--trace-iter', '5']), /did you mean --trace-iters\?$/);
    expectOneSentence(runCrsam(['trian']), /^crsam: unknown command 'trian'; did you mean 'train'\?$/);
    expectOneSentence(runCrsam(['help', 'analyse']), /^crsam: unknown command 'analyse'; did you mean 'analyze'\?$/);
    // Nothing close: the sentence says where the flags and commands are instead.
    expectOneSentence(runCrsam(['train', '--zzzzzz']), /^crsam: unknown flag --zzzzzz for 'crsam train'; run 'crsam train --help' to see the flags$/);
    expectOneSentence(runCrsam(['qqqq']), /^crsam: unknown command 'qqqq'; commands: train, eval/);
  });

  it('reads values as the schema types them: --flag=v, -o, --no-<bool>, defaults, and -- before positionals', () => {
    const t = parseArgs(trainSpec, ['--lr=0.2', '-o', 'dir', '--nesterov', '--epochs', '3', '--milestones', '30,60']);
    expect(t.flags.lr).to.equal(0.2);
    expect(t.flags.out).to.equal('dir');
    expect(t.flags.nesterov).to.equal(true);
    expect(t.flags.epochs).to.equal(3);
    expect(t.flags.milestones).to.deep.equal(['30', '60']);
    expect(t.flags.rho).to.equal(TRAIN_OPTIONS.rho.default);
    expect([...t.given].sort()).to.deep.equal(['epochs', 'lr', 'milestones', 'nesterov', 'out']);
    const a = parseArgs(analyzeSpec, ['--no-trace', '--', '-m.onnx']);
    expect(a.flags.trace).to.equal(false);
    expect(a.positionals).to.deep.equal(['-m.onnx']);
    expect(() => parseArgs(trainSpec, ['--epochs', '2.5'])).to.throw(UsageError, /--epochs must be a whole number, not '2.5'/);
    expect(() => parseArgs(trainSpec, ['--nesterov=maybe'])).to.throw(UsageError, /--nesterov takes true or false/);
    expect(() => parseArgs(trainSpec, ['--lr'])).to.throw(UsageError, /--lr needs a value/);
    expect(() => parseArgs(trainSpec, ['--optimizer', 'adam'])).to.throw(UsageError, /--optimizer must be one of sgd, sam, asam, crsam, not 'adam'/);
  });
});
