// Runs the CLI in this process with its output captured (stderr dropped), for tests that read
// what a command printed.
import { main } from '../../src/cli/main';

/** Runs `crsam argv...` and returns its exit code and standard output. */
export async function runCli(argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => { chunks.push(String(s)); return true; }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await main(argv), out: chunks.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}
