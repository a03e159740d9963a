// Training curves as SVG and PNG: loss and accuracy, train vs validation, per epoch (and the noisy
// per-step training loss, smoothed, behind them).
import { writeFileAtomic } from '../core/atomic-file';
import * as path from 'node:path';
import { lineChartPng, lineChartSvg, LineChart } from '../plot';
import { EpochRecord } from './metrics-log';

export function writeCurves(dir: string, title: string, epochs: readonly EpochRecord[], stepLosses: readonly (readonly [number, number])[], stepsPerEpoch: number): string[] {
  // Epochs count from 1, so an epoch's point sits at its end on the per-step axis (step / steps per epoch).
  const ep = (f: (e: EpochRecord) => number) => epochs.map((e) => [e.epoch, f(e)] as const).filter(([, y]) => Number.isFinite(y));
  const hasVal = epochs.some((e) => Number.isFinite(e.valLoss));
  const chart: LineChart = {
    title,
    xLabel: 'epoch',
    integerX: true,
    panels: [
      {
        title: 'loss', yLabel: 'cross-entropy',
        series: [
          ...(stepLosses.length > 1 ? [{ name: 'train (per step)', points: stepLosses.map(([s, l]) => [s / stepsPerEpoch, l] as const), smoothing: 0.9, width: 1, markers: false }] : []),
          { name: 'train', points: ep((e) => e.trainLoss) },
          ...(hasVal ? [{ name: 'validation', points: ep((e) => e.valLoss) }] : []),
        ],
      },
      {
        title: 'accuracy', yLabel: 'accuracy (%)',
        series: [
          { name: 'train', points: ep((e) => 100 * e.trainAccuracy) },
          ...(hasVal ? [{ name: 'validation', points: ep((e) => 100 * e.valAccuracy) }] : []),
        ],
      },
    ],
  };
  const svg = path.join(dir, 'curves.svg');
  const png = path.join(dir, 'curves.png');
  writeFileAtomic(svg, lineChartSvg(chart));
  writeFileAtomic(png, lineChartPng(chart));
  return [svg, png];
}

/** The paper's Fig. 1–2 view: ‖g‖, Tr(H), λ_max and C(w) per epoch (epochs with --track-geometry). */
export function writeGeometryCurves(dir: string, title: string, epochs: readonly EpochRecord[]): string[] {
  // An estimate's standard error, when the record has one (`<key>Se`), is drawn as an error bar.
  const panel = (key: string, label: string) => {
    const kept = epochs.filter((e) => Number.isFinite(e.extra?.[key]));
    const errors = kept.map((e) => e.extra?.[`${key}Se`] ?? NaN);
    return {
      title: label,
      series: [{ name: label, points: kept.map((e) => [e.epoch, e.extra?.[key] as number] as const), errors: errors.some(Number.isFinite) ? errors : undefined }],
      legend: false,
    };
  };
  const chart: LineChart = {
    title, xLabel: 'epoch', integerX: true,
    panels: [panel('gradNorm', '‖g‖'), panel('hessianTrace', 'Tr(H)'), panel('lambdaMax', 'λ_max'), panel('normalizedTrace', 'C(w) = Tr(H)/‖g‖')],
  };
  const svg = path.join(dir, 'geometry.svg');
  const png = path.join(dir, 'geometry.png');
  writeFileAtomic(svg, lineChartSvg(chart, { columns: 2 }));
  writeFileAtomic(png, lineChartPng(chart, { columns: 2 }));
  return [svg, png];
}
