// The paper's Table 3 as text: one row per model with ‖∇L‖, Tr(H), C(w), λ_max and accuracy.
import { GeometryReport } from './analyze';

function num(v: number | undefined, digits = 2): string {
  if (v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : v.toFixed(digits);
}

/** A fixed-width text table of reports (one row each), with a note on how the figures were computed. */
export function formatGeometryTable(reports: readonly GeometryReport[], caption?: string): string {
  const head = ['model', '‖∇L‖', 'Tr(H)', 'C(w)', 'λ_max', 'accuracy (%)', 'loss'];
  const withAr = reports.some((r) => r.approximationRatio);
  if (withAr) head.push('AR');
  const rows = reports.map((r) => {
    const row = [r.model, num(r.gradNorm, 4), num(r.trace), num(r.normalizedTrace), num(r.lambdaMax), num(100 * r.accuracy), num(r.loss, 4)];
    if (withAr) row.push(num(r.approximationRatio?.ratio, 4));
    return row;
  });
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  const r0 = reports[0];
  const notes = r0 ? [
    `${r0.samples} samples in ${r0.batches} batches; BatchNorm on running statistics; ${r0.settings.hvp} Hessian-vector products;`,
    `‖∇L‖ = mean of per-batch gradient norms; Tr(H) by Hutchinson (≤ ${r0.settings.traceMaxIter} Rademacher probes, tol ${r0.settings.traceTol}); C(w) = Tr(H)/‖∇L‖; λ_max by power iteration.`,
  ] : [];
  return [...(caption ? [caption] : []), line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line), ...notes].join('\n');
}
