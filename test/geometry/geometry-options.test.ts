// The analysis option schema against the library: every default the schema states (and `crsam
// analyze --help` / `crsam landscape --help` print) is what analyzeGeometry, the estimators, the
// landscape and datasetBatches use when the option is left out, and what their JSDoc says.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSyntheticDataset } from '../../src/data';
import { analyzeGeometry } from '../../src/geometry/analyze';
import { approximationRatio } from '../../src/geometry/ascent';
import { measureCurvature } from '../../src/geometry/curvature';
import { spectralDensity } from '../../src/geometry/density';
import { topEigenvalues } from '../../src/geometry/eigen';
import { ANALYZE_OPTIONS, EIGEN_MAX_ITER, GeometryOptionSpec, LANDSCAPE_OPTIONS, LANDSCAPE_RESOLUTION } from '../../src/geometry/geometry-options';
import { hutchPlusPlusTrace } from '../../src/geometry/hutchpp';
import { lanczosEigenvalues } from '../../src/geometry/lanczos';
import { lossLandscape } from '../../src/geometry/landscape';
import { datasetBatches } from '../../src/geometry/sources';
import { hutchinsonTrace } from '../../src/geometry/trace';
import { buildZooModel } from '../../src/zoo';
import { repoRoot } from '../repo-root';
import { withEigenvalues } from './quadratic-spectrum';

type Options = Record<string, unknown>;
const ENTRIES = [...Object.entries(ANALYZE_OPTIONS), ...Object.entries(LANDSCAPE_OPTIONS)] as [string, GeometryOptionSpec][];
const LIBRARY = ENTRIES.filter(([, spec]) => spec.library);

/** [prefix, field] of an entry's library field. */
function field(spec: GeometryOptionSpec): [string, string] {
  const [prefix, name] = (spec.library as string).split('.');
  return [prefix, name];
}

// A quadratic whose trace estimates stop by the relative-SE rule within the budget, not at once.
// More parameters than the Lanczos default (80 steps), so that budget can bind.
const n = 96;
const oracle = withEigenvalues(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -0.5 : 1) * (1 + (i % 7))), 11);
const w = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
const pair = makeSyntheticDataset();
const model = buildZooModel('mlp', { inputSize: 8, channels: 1, numClasses: 4, seed: 1 });
const modelBatches = datasetBatches(pair.test, pair.train, { samples: 16, batchSize: 16 });

// A matrix and a bias vector, so --bias-bn has something to move.
const VIEWS = [{ name: 'w', dims: [8, 10], data: w.subarray(0, 80) }, { name: 'b', dims: [16], data: w.subarray(80) }];

/** What each part of the library computes with `o` (one option set, or none): what must match. */
const RUN: Record<string, (o: Options) => Promise<unknown>> = {
  trace: async (o) => [(await measureCurvature(oracle, w, 1, { trace: o, eigenvalues: 0 })).trace, await hutchinsonTrace(oracle, w, o), await hutchPlusPlusTrace(oracle, w, o)],
  eigen: async (o) => [(await measureCurvature(oracle, w, 1, { trace: false, eigen: o })).eigen, await lanczosEigenvalues(oracle, w, o), await topEigenvalues(oracle, w, o)],
  density: async (o) => [await spectralDensity(oracle, w, o), (await measureCurvature(oracle, w, 1, { trace: false, eigenvalues: 0, density: o })).density],
  ascent: (o) => approximationRatio(oracle, w, o),
  sample: async (o) => datasetBatches(pair.test, pair.train, { samples: 300, ...o }).map((b) => b.labels.length),
  landscape: (o) => lossLandscape(oracle, w, VIEWS, { resolution: 5, ...o }),
  // Figures that depend on floating-point sums are left out: the settings and what was computed.
  analyze: async (o) => {
    // --ar on: a 2-step ascent is enough to see it ran.
    const r = await analyzeGeometry({ model, batches: modelBatches, threads: 2, ...o, approximationRatio: o.approximationRatio === true ? { steps: 2 } : o.approximationRatio as false | undefined });
    return { settings: r.settings, keys: Object.keys(r).sort(), eigenvalues: r.eigenvalues?.length, trace: r.traceHvps, density: r.density?.hvps };
  },
};

// Each part's run with every option left out, computed once (the analysis takes seconds).
const OMITTED = new Map<string, Promise<unknown>>();
const omitted = (prefix: string) => OMITTED.get(prefix) ?? OMITTED.set(prefix, RUN[prefix]({})).get(prefix);

/** A value other than the default, to show the part reads the option at all (library values: 'finite-difference', not 'fd'). */
const OTHER: Record<string, unknown> = {
  'batch-size': 64, trace: false, 'trace-method': 'hutchinson', 'trace-iters': 30, 'trace-rel-se': 0.3, 'top-k': 2, 'eigen-method': 'power', 'eigen-tol': 0.3,
  density: true, 'density-steps': 10, 'density-probes': 1, 'density-bins': 20, ar: true, rho: 0.3, 'ar-steps': 3, hvp: 'finite-difference', seed: 1,
  range: 0.5, 'bias-bn': true, normalization: 'none',
};

describe('analysis option schema vs. the library', function () {
  this.timeout(120000);

  for (const [name, spec] of LIBRARY.filter(([, s]) => s.default !== undefined)) {
    it(`--${name}: leaving ${spec.library} out is the schema's ${String(spec.default)}`, async () => {
      const [prefix, key] = field(spec);
      const run = RUN[prefix];
      expect(run, `no runner for ${prefix}`).to.be.a('function');
      expect(OTHER, `OTHER has no value for --${name}`).to.have.property(name);
      const left = await omitted(prefix);
      expect(await run({ [key]: spec.default }), `${spec.library} given as the schema's default`).to.deep.equal(left);
      expect(await run({ [key]: OTHER[name] }), `${spec.library} = ${String(OTHER[name])} changes nothing: the test cannot see the option`).not.to.deep.equal(left);
    });
  }

  it('--eigen-iters and --resolution: left out, the library takes EIGEN_MAX_ITER and LANDSCAPE_RESOLUTION; --trace-tol is off', async () => {
    // Tolerances no estimate meets, so the iteration budget binds.
    const tol = { lanczos: 1e-12, power: 0 };
    for (const method of ['lanczos', 'power'] as const) {
      const eigen = async (o: Options) => (await measureCurvature(oracle, w, 1, { trace: false, eigen: { method, tol: tol[method], ...o } })).eigen;
      const omitted = await eigen({});
      expect(await eigen({ maxIter: EIGEN_MAX_ITER[method] }), method).to.deep.equal(omitted);
      expect(await eigen({ maxIter: EIGEN_MAX_ITER[method] - 1 }), method).not.to.deep.equal(omitted);
    }
    const lanczos = await lanczosEigenvalues(oracle, w, { tol: tol.lanczos });
    expect(lanczos.steps).to.equal(EIGEN_MAX_ITER.lanczos);
    expect(await lanczosEigenvalues(oracle, w, { tol: tol.lanczos, maxSteps: EIGEN_MAX_ITER.lanczos })).to.deep.equal(lanczos);
    expect((await topEigenvalues(oracle, w, { tol: tol.power })).iterations).to.deep.equal([EIGEN_MAX_ITER.power]);
    const settings = (await RUN.analyze({ eigen: { method: 'power' } }) as { settings: { eigenMaxIter: number } }).settings;
    expect(settings.eigenMaxIter).to.equal(EIGEN_MAX_ITER.power);
    for (const dimensions of [1, 2] as const) {
      expect((await lossLandscape(oracle, w, VIEWS, { dimensions })).x, `${dimensions}-D`).to.have.length(LANDSCAPE_RESOLUTION[dimensions]);
    }
    const traces = await RUN.trace({}) as { stop: string }[];
    expect(traces.map((t) => t.stop)).not.to.include('pyhessian-tol');
  });

  it('the JSDoc of every library field an option sets (and of the fields restating its default) says what the schema does', () => {
    const docs = new Map<string, string>();
    const read = (key: string, file: string, iface: string) => {
      const text = fs.readFileSync(path.join(repoRoot(), 'src', 'geometry', file), 'utf8');
      const at = text.indexOf(`export interface ${iface} `);
      expect(at, `${iface} in ${file}`).to.be.at.least(0);
      const body = text.slice(at, text.indexOf('\n}\n', at));
      for (const m of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)\??:/g)) docs.set(`${key}.${m[2]}`, `${m[1].replace(/\s*\n\s*\*\s*/g, ' ').trim()} `);
    };
    const interfaces: [string, string, string][] = [
      ['analyze', 'analyze.ts', 'AnalyzeGeometryOptions'], ['trace', 'trace.ts', 'TraceOptions'], ['trace', 'curvature.ts', 'CurvatureTraceOptions'],
      ['eigen', 'curvature.ts', 'CurvatureEigenOptions'], ['density', 'density.ts', 'DensityOptions'], ['ascent', 'ascent.ts', 'AscentOptions'],
      ['sample', 'sources.ts', 'SampleOptions'], ['landscape', 'landscape.ts', 'LandscapeOptions'], ['landscape', 'landscape.ts', 'DirectionOptions'],
      ['lanczos', 'lanczos.ts', 'LanczosEigenOptions'], ['power', 'eigen.ts', 'EigenOptions'], ['curvature', 'curvature.ts', 'CurvatureOptions'], ['oracle', 'ort-geometry-oracle.ts', 'OrtOracleOptions'],
    ];
    for (const [key, file, iface] of interfaces) read(key, file, iface);
    // Fields of the parts that restate an option's default (they take the same constant).
    const also: Record<string, string[]> = { 'top-k': ['lanczos.topK', 'power.topK', 'curvature.eigenvalues'], 'eigen-tol': ['lanczos.tol', 'power.tol'], hvp: ['oracle.hvp'] };
    const stated = (doc: string) => [...doc.matchAll(/Default: (.*?)(?:\.\s|\s\(|,\s)/g), ...doc.matchAll(/\(default ([^)]*)\)/g)].map((m) => m[1].replace(/^'(.*)'$/, '$1'));
    for (const [name, spec] of LIBRARY) {
      for (const where of [spec.library as string, ...(also[name] ?? [])]) {
        const doc = docs.get(where);
        expect(doc, `${where} (--${name}) has no JSDoc`).to.be.a('string');
        const said = stated(doc as string);
        expect(said, `${where}: no default in its JSDoc`).to.have.length.above(0);
        if (spec.default === undefined) continue;
        for (const s of said) {
          const same = typeof spec.default === 'number' ? Number(s) === spec.default : s === String(spec.default);
          expect(same, `${where}: JSDoc says ${s}, the schema ${String(spec.default)}`).to.equal(true);
        }
      }
    }
    const maxIter = `${docs.get('eigen.maxIter')} ${docs.get('lanczos.maxSteps')} ${docs.get('power.maxIter')}`;
    expect(maxIter).to.include(`default ${EIGEN_MAX_ITER.lanczos}`).and.include(`Default: ${EIGEN_MAX_ITER.lanczos} `).and.include(`default ${EIGEN_MAX_ITER.power}`).and.include(`Default: ${EIGEN_MAX_ITER.power} `);
    expect(docs.get('landscape.resolution')).to.include(`${LANDSCAPE_RESOLUTION[2]} in 2-D`).and.include(`${LANDSCAPE_RESOLUTION[1]} in 1-D`);
  });
});
