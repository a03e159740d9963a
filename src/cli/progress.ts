// A one-line progress display with ETA. On a terminal it is redrawn in place and cut to the
// terminal's width (a line longer than the terminal wraps, and each redraw then leaves a copy);
// otherwise (a log file, a pipe) it prints a plain line at most every `plainInterval` ms.

/** The part of a stream the bar uses (process.stderr, or a test double). */
export interface ProgressStream {
  write(s: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class ProgressBar {
  private start = Date.now();
  private startFraction = 0;
  private label = '';
  private lastPrint = 0;
  private shown = false;

  /** `plainInterval`: ms between plain lines when the stream is not a terminal. */
  constructor(private readonly stream: ProgressStream, private readonly plainInterval = 30000, private readonly now: () => number = Date.now) {}

  /**
   * Shows `label` at `fraction` (0..1) done, with `detail` after it. The ETA extrapolates the
   * rate since this label first appeared, from the fraction it had then: a resumed epoch that
   * starts at 40 % is not credited with work done before the resume.
   */
  update(label: string, fraction: number, detail: string): void {
    const now = this.now();
    const tty = !!this.stream.isTTY;
    // A new label draws at once on a terminal; in a log its first line waits a full interval, so
    // short phases (an evaluation, a quick epoch) add no lines at all.
    if (label !== this.label) { this.label = label; this.start = now; this.startFraction = fraction; this.lastPrint = tty ? 0 : now; }
    if (now - this.lastPrint < (tty ? 100 : this.plainInterval) && (this.lastPrint !== 0 || !tty)) return;
    this.lastPrint = now;
    const f = Math.min(1, Math.max(0, fraction));
    const progressed = f - this.startFraction;
    const elapsed = (now - this.start) / 1000;
    // Too early to extrapolate: under 1 % progressed or half a second elapsed.
    const eta = progressed > 0.01 && elapsed > 0.5 ? elapsed * (1 - f) / progressed : NaN;
    const pct = `${(100 * f).toFixed(0).padStart(3)}%`;
    const etaText = `ETA ${formatSeconds(eta)}`;
    if (!tty) { this.stream.write(`${label} ${pct} ${etaText}${detail ? ` ${detail}` : ''}\n`); return; }
    const columns = Math.max(20, (this.stream.columns ?? 80) - 1);
    const fixed = `${label}  ${pct} ${etaText}`;
    const barWidth = Math.max(0, Math.min(24, columns - fixed.length - 3 - 10));
    const filled = Math.round(f * barWidth);
    const bar = barWidth > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]` : '';
    const line = `${label}${bar} ${pct} ${etaText}${detail ? ` ${detail}` : ''}`;
    this.stream.write(`\r\x1b[2K${line.length > columns ? line.slice(0, columns) : line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown && this.stream.isTTY) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const t = Math.round(s);
  const m = Math.floor(t / 60);
  return m > 0 ? `${m}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}
