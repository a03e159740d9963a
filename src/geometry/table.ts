// The paper's Table 3 as text: one row per model with ‖∇L‖, Tr(H) ± SE, C(w) ± SE, λ_max, λ_min
// and accuracy, and per-model detail lines with every estimate's error bar and convergence evidence.
import { GeometryReport } from './analyze';

function num(v: number | undefined, digits = 2): string {
  if (v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : v.toFixed(digits);
}

/** Significant-digit formatting for error bars and residuals. */
function sig(v: number | undefined, digits = 3): string {
  if (v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  return v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(digits))) : v.toExponential(digits - 1);
}

/** "value ± SE", with a star when the estimate did not converge. */
function withError(v: number | undefined, se: number | undefined, converged: boolean | undefined, digits = 2): string {
  if (v === undefined) return '—';
  return `${num(v, digits)} ± ${sig(se, 2)}${converged === false ? '*' : ''}`;
}

/** A fixed-width text table of reports (one row each), with a note on how the figures were computed. */
export function formatGeometryTable(reports: readonly GeometryReport[], caption?: string): string {
  const head = ['model', '‖∇L‖', 'Tr(H) ± SE', 'C(w) ± SE', 'λ_max', 'λ_min', 'accuracy (%)', 'loss'];
  const withAr = reports.some((r) => r.approximationRatio);
  if (withAr) head.push('AR');
  const eigenStar = (r: GeometryReport) => (r.eigenConverged === false ? '*' : '');
  const rows = reports.map((r) => {
    const row = [
      r.model, num(r.gradNorm, 4), withError(r.trace, r.traceStandardError, r.traceConverged), withError(r.normalizedTrace, r.normalizedTraceStandardError, r.traceConverged),
      r.lambdaMax === undefined ? '—' : `${num(r.lambdaMax)}${eigenStar(r)}`, r.lambdaMin === undefined ? '—' : `${num(r.lambdaMin)}${eigenStar(r)}`, num(100 * r.accuracy), num(r.loss, 4),
    ];
    if (withAr) row.push(num(r.approximationRatio?.ratio, 4));
    return row;
  });
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  const r0 = reports[0];
  const s = r0?.settings;
  const rule = s && (s.traceTol !== undefined ? `PyHessian's rule, tol ${s.traceTol}` : `stop at SE/|Tr| ≤ ${s.traceRelTol ?? 0.02}`);
  const notes = r0 && s ? [
    `${r0.samples} samples in ${r0.batches} batches; BatchNorm on running statistics; ${s.hvp} Hessian-vector products;`,
    `‖∇L‖ = mean of per-batch gradient norms; Tr(H) by ${s.traceMethod} (≤ ${s.traceMaxIter} HVPs, ${rule}), ± its standard error; C(w) = Tr(H)/‖∇L‖;`,
    `λ by ${s.eigenMethod === 'lanczos' ? `Lanczos (≤ ${s.eigenMaxIter} steps, converged when ‖Hy − λy‖ ≤ ${s.eigenTol}·‖H‖)` : `power iteration (largest magnitude; no λ_min)`}; * = not converged within the budget.`,
  ] : [];
  return [...(caption ? [caption] : []), line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line), ...notes].join('\n');
}

/** Detail lines of one report: each estimate with its interval, cost and convergence evidence. */
export function formatGeometryDetails(r: GeometryReport): string[] {
  const lines: string[] = [];
  if (r.trace !== undefined) {
    const iv = r.traceInterval;
    const pct = r.traceLevel !== undefined ? Math.round(100 * r.traceLevel) : 95;
    const rel = r.traceStandardError !== undefined ? `${sig((100 * r.traceStandardError) / Math.abs(r.trace), 2)} %` : '—';
    const stop = r.traceStop === 'budget' ? `not converged (HVP budget spent; SE ${rel} of |Tr|)` : r.traceStop === 'pyhessian-tol' ? 'stopped by PyHessian\'s rule (no accuracy guarantee)' : `converged (SE ${rel} of |Tr|)`;
    lines.push(`Tr(H) = ${sig(r.trace, 5)} ± ${sig(r.traceStandardError, 2)}, ${pct} % CI [${sig(iv?.[0], 5)}, ${sig(iv?.[1], 5)}]; ${r.traceMethod}, ${r.traceHvps} HVPs, ${stop}`);
    const cv = r.normalizedTraceInterval;
    lines.push(`C(w)  = ${sig(r.normalizedTrace, 5)} ± ${sig(r.normalizedTraceStandardError, 2)}, ${pct} % CI [${sig(cv?.[0], 5)}, ${sig(cv?.[1], 5)}] (the trace's error bar over ‖∇L‖ = ${sig(r.gradNorm, 5)})`);
  }
  if (r.eigenvalues) {
    const state = r.eigenConverged ? 'converged' : 'NOT converged';
    if (r.eigenMethod === 'lanczos') {
      const top = r.eigenvalues.map((v, k) => `${k === 0 ? 'λ_max' : `λ_${k + 1}`} = ${sig(v, 6)} (residual ${sig(r.eigenResiduals?.[k], 2)})`);
      if (r.lambdaMin !== undefined) top.push(`λ_min = ${sig(r.lambdaMin, 6)} (residual ${sig(r.lambdaMinResidual, 2)})`);
      lines.push(`${top.join(', ')}; Lanczos, ${r.eigenIterations?.[0]} steps, ${r.eigenHvps} HVPs, ${state}`);
    } else {
      lines.push(`${r.eigenvalues.map((v, k) => `|λ|_${k + 1} = ${sig(v, 6)}`).join(', ')}; power iteration (largest magnitude), ${r.eigenIterations?.join('+')} iterations, ${state} by PyHessian's rule (no residual measured)`);
    }
  }
  if (r.density) lines.push(`spectral density: ${r.density.nodes.length} × ${r.density.nodes[0]?.length ?? 0} Lanczos nodes, ${r.density.hvps} HVPs, smoothing σ = ${sig(r.density.sigma, 2)}`);
  return lines;
}
