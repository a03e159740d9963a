// A study's grid: the flags every run shares, and the axes (flags given several values) whose
// product makes the runs. Each run is one cell, named after its axis values so that its folder
// tells what it is and a resumed study finds the same folders again.

/** One axis of the grid: a `crsam train` flag and the values it takes, in the order given. */
export interface GridAxis {
  /** The flag's name, without dashes (e.g. `optimizer`, `seed`, `rho`). */
  readonly flag: string;
  /** Its values as the user wrote them (strings, as on a command line). */
  readonly values: readonly string[];
}

/** One run of the grid. */
export interface GridCell {
  /** Folder name: the axis values joined, e.g. `crsam-seed1`. Unique within the grid. */
  readonly name: string;
  /** The value of each axis for this run. */
  readonly axes: Readonly<Record<string, string>>;
  /** Every flag of the run: the shared ones, then this cell's axis values. */
  readonly flags: Readonly<Record<string, string>>;
}

/** The flag whose values are repetitions, not treatments: statistics pair runs over it. */
export const SEED_FLAG = 'seed';

/**
 * The cells of the grid, in a fixed order (the first axis varies slowest), so that an
 * interrupted study runs the remaining cells in the same order.
 */
export function expandGrid(shared: Readonly<Record<string, string>>, axes: readonly GridAxis[]): GridCell[] {
  let cells: { axes: Record<string, string> }[] = [{ axes: {} }];
  for (const axis of axes) {
    const next: { axes: Record<string, string> }[] = [];
    for (const c of cells) for (const v of axis.values) next.push({ axes: { ...c.axes, [axis.flag]: v } });
    cells = next;
  }
  return cells.map((c) => ({ name: cellName(c.axes), axes: c.axes, flags: { ...shared, ...c.axes } }));
}

/** `{optimizer: crsam, seed: 1, rho: 0.05}` → `crsam-seed1-rho0.05`: optimizer names stand alone. */
export function cellName(axes: Readonly<Record<string, string>>): string {
  const parts = Object.entries(axes).map(([k, v]) => (k === 'optimizer' ? v : `${k}${v}`));
  const name = parts.join('-').replace(/[^A-Za-z0-9._=-]+/g, '_');
  return name || 'run';
}

/** The treatment a cell belongs to: its axis values except the seed (`crsam`, `crsam-rho0.05`). */
export function treatmentOf(cell: Pick<GridCell, 'axes'>): string {
  const rest = Object.fromEntries(Object.entries(cell.axes).filter(([k]) => k !== SEED_FLAG));
  return Object.keys(rest).length ? cellName(rest) : 'all';
}
