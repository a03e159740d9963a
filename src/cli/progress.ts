// A one-line progress bar with ETA, redrawn in place on a terminal and printed sparsely otherwise.

export class ProgressBar {
  private start = Date.now();
  private label = '';
  private lastPrint = 0;
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(label: string, fraction: number, detail: string): void {
    if (label !== this.label) { this.label = label; this.start = Date.now(); }
    const now = Date.now();
    const tty = !!this.stream.isTTY;
    if (now - this.lastPrint < (tty ? 100 : 10000) && fraction < 1) return;
    this.lastPrint = now;
    const elapsed = (now - this.start) / 1000;
    const eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    const width = 24;
    const filled = Math.round(Math.min(1, fraction) * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * fraction).toFixed(0).padStart(3)}% ETA ${formatSeconds(eta)} ${detail}`;
    if (tty) { this.stream.write(`\r\x1b[2K${line}`); this.shown = true; }
    else this.stream.write(`${line}\n`);
  }

  clear(): void {
    if (this.shown && this.stream.isTTY) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
