// The `crsam` command. The only place that prints.
import { isUserError } from '../core/errors';
import { OptionSchema, closestName } from '../core/option-schema';
import { fileSystemSentence } from './file-system-errors';
import { CommandSpec, Parsed, UsageError, formatHelp, parseArgs } from './args';
import { artifactsSpec, runArtifacts } from './artifacts-command';
import { analyzeSpec, runAnalyze } from './analyze-command';
import { landscapeSpec, runLandscape } from './landscape-command';
import { compareSpec, runCompare } from './compare-command';
import { runTrain, trainSpec } from './train-command';
import { evalSpec, exportSpec, modelsSpec, runEval, runExport, runModels } from './model-commands';

/** Runs a command; `argv` is what followed the command's name (for records such as a study's). */
type Runner<F extends OptionSchema = OptionSchema> = (args: Parsed<F>, print: (line: string) => void, argv: readonly string[]) => number | Promise<number>;

interface Command { readonly spec: CommandSpec; readonly run: Runner }

/** A command whose runner reads its own flags' types; the table below holds them side by side. */
function command<F extends OptionSchema>(spec: CommandSpec<F>, run: Runner<F>): Command {
  // Safe: parseArgs(spec) makes exactly the Parsed<F> that `run` reads.
  return { spec, run: run as unknown as Runner };
}

const COMMANDS: Record<string, Command> = {
  train: command(trainSpec, runTrain),
  eval: command(evalSpec, runEval),
  export: command(exportSpec, runExport),
  models: command(modelsSpec, runModels),
  artifacts: command(artifactsSpec, runArtifacts),
  analyze: command(analyzeSpec, runAnalyze),
  landscape: command(landscapeSpec, runLandscape),
  compare: command(compareSpec, runCompare),
};

function topHelp(): string {
  const lines = ['crsam: train ONNX models with CR-SAM, SAM, SGD and AdamW on ONNX Runtime', '', 'commands:'];
  for (const { spec } of Object.values(COMMANDS)) lines.push(`  ${spec.name.padEnd(12)} ${spec.summary}`);
  lines.push('', "run 'crsam <command> --help' (or 'crsam help <command>') for the flags of a command");
  return lines.join('\n');
}

function findCommand(name: string): Command {
  const cmd = COMMANDS[name];
  if (cmd) return cmd;
  const guess = closestName(name, Object.keys(COMMANDS));
  throw new UsageError(`unknown command '${name}'; ${guess ? `did you mean '${guess}'?` : `commands: ${Object.keys(COMMANDS).join(', ')}`}`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || (name === 'help' && !rest.length)) { print(topHelp()); return name ? 0 : 2; }
  if (name === '--version') { print('crsam 0.1.0'); return 0; }
  try {
    // `crsam help train` is `crsam train --help`.
    if (name === 'help') { print(formatHelp(findCommand(rest[0]).spec)); return 0; }
    const cmd = findCommand(name);
    const args = parseArgs(cmd.spec, rest);
    if (args.help) { print(formatHelp(cmd.spec)); return 0; }
    return await cmd.run(args, print, rest);
  } catch (e) {
    const err = e as Error;
    if (process.env.CRSAM_DEBUG) process.stderr.write(`${err.stack ?? err.message}\n`);
    const known = isUserError(err);
    const fsSentence = known ? undefined : fileSystemSentence(err);
    process.stderr.write(`crsam: ${known ? err.message : fsSentence ?? `internal error: ${err.message} (set CRSAM_DEBUG=1 for details and please report it)`}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
