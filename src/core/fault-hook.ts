// Test-only fault injection: the fault-injection tests set CRSAM_FAULT to stop, kill or fail the
// process at a named point (a phase of an atomic file write, or a training step), so that every
// moment a crash can happen is tried, deterministically. Unset (always, in normal use) it costs
// one environment lookup per point.
//
//   CRSAM_FAULT=<target>@<phase>[#<n>][:<action>][,…]
//     target  a file's base name (last.ckpt, best.ckpt, run-config.json, ...) or 'step'
//     phase   start | temp-created | half-written | written | synced | renamed (files); done (steps)
//     n       act on the n-th time this point is reached in this process (default 1)
//     action  kill (SIGKILL, the default) | stop (SIGSTOP: the test continues it) |
//             term (SIGTERM to itself, then carry on) | enospc (fail the write with ENOSPC)

interface Fault { target: string; phase: string; n: number; action: string }

const counts = new Map<string, number>();
let parsed: { spec: string; faults: Fault[] } | undefined;

function faults(): Fault[] {
  const spec = process.env.CRSAM_FAULT ?? '';
  if (parsed?.spec === spec) return parsed.faults;
  const list = spec.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^([^@]+)@([a-z-]+)(?:#(\d+))?(?::([a-z]+))?$/.exec(s);
    return m ? { target: m[1], phase: m[2], n: Number(m[3] ?? 1), action: m[4] ?? 'kill' } : undefined;
  }).filter((f): f is Fault => !!f);
  parsed = { spec, faults: list };
  return list;
}

/** Marks a point where the fault-injection tests may stop, kill or fail the process. */
export function faultPoint(target: string, phase: string): void {
  if (!process.env.CRSAM_FAULT) return;
  for (const f of faults()) {
    if (f.target !== target || f.phase !== phase) continue;
    const key = `${target}@${phase}`;
    const seen = (counts.get(key) ?? 0) + 1;
    counts.set(key, seen);
    if (seen !== f.n) continue;
    if (f.action === 'kill') process.kill(process.pid, 'SIGKILL');
    else if (f.action === 'stop') process.kill(process.pid, 'SIGSTOP');
    else if (f.action === 'term') process.kill(process.pid, 'SIGTERM');
    else if (f.action === 'enospc') throw Object.assign(new Error(`ENOSPC: no space left on device (injected at ${key})`), { code: 'ENOSPC' });
  }
}
