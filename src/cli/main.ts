// The `crsam` command. The only place that prints.
import { isUserError } from '../core/errors';
import { fileSystemSentence } from './file-system-errors';
import { CommandSpec, Parsed, UsageError, formatHelp, parseArgs } from './args';
import { artifactsSpec, runArtifacts } from './artifacts-command';
import { analyzeSpec, runAnalyze } from './analyze-command';
import { landscapeSpec, runLandscape } from './landscape-command';
import { compareSpec, runCompare } from './compare-command';
import { runTrain, trainSpec } from './train-command';
import { evalSpec, exportSpec, modelsSpec, runEval, runExport, runModels } from './model-commands';

/** Runs a command; `argv` is what followed the command's name (for records such as a study's). */
type Runner = (args: Parsed, print: (line: string) => void, argv: readonly string[]) => number | Promise<number>;

const COMMANDS: Record<string, { spec: CommandSpec; run: Runner }> = {
  train: { spec: trainSpec, run: runTrain },
  eval: { spec: evalSpec, run: runEval },
  export: { spec: exportSpec, run: runExport },
  models: { spec: modelsSpec, run: runModels },
  artifacts: { spec: artifactsSpec, run: runArtifacts },
  analyze: { spec: analyzeSpec, run: runAnalyze },
  landscape: { spec: landscapeSpec, run: runLandscape },
  compare: { spec: compareSpec, run: runCompare },
};

function topHelp(): string {
  const lines = ['crsam: train ONNX models with CR-SAM, SAM, SGD and AdamW on ONNX Runtime', '', 'commands:'];
  for (const { spec } of Object.values(COMMANDS)) lines.push(`  ${spec.name.padEnd(12)} ${spec.summary}`);
  lines.push('', "run 'crsam <command> --help' for the flags of a command");
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { print(topHelp()); return name ? 0 : 2; }
  if (name === '--version') { print('crsam 0.1.0'); return 0; }
  const cmd = COMMANDS[name];
  if (!cmd) { process.stderr.write(`crsam: unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')}\n`); return 2; }
  try {
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
