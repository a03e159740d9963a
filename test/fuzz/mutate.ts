// Seeded mutations of model and IDX files for the fuzz tests: byte flips, truncations, and
// protobuf-level edits (huge, negative and zero dims, wrong element types, renamed inputs,
// attribute values, external-data tricks). Each mutant carries a description to reproduce it.
import * as zlib from 'node:zlib';
import * as protobuf from 'protobufjs';
import { Rng } from '../../src/core/rng';
import { ONNX_PROTO } from '../../src/onnx/onnx-schema';

const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

export interface Mutant { readonly what: string; readonly bytes: Uint8Array }

interface KV { key: string; value: string }
interface TensorObj { name?: string; dims?: number[]; data_type?: number; raw_data?: number[]; data_location?: number; external_data?: KV[]; float_data?: number[] }
interface AttrObj { name?: string; type?: number; i?: number; ints?: number[]; f?: number; t?: TensorObj }
interface NodeObj { input?: string[]; output?: string[]; op_type?: string; attribute?: AttrObj[] }
interface ValueObj { name?: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number }[] } } } }
interface ModelObj { graph: { node: NodeObj[]; initializer: TensorObj[]; input: ValueObj[]; output: ValueObj[] }; opset_import?: { version?: number }[] }

const HUGE = [2 ** 31, 2 ** 40, 2 ** 53, 1e15, -1, -7, 0, 3];
const LOCATIONS = ['../outside.bin', '/etc/passwd', '/dev/zero', 'fifo', 'sub', 'link-out', 'weights.bin', '', 'a\0b', '../../../../../../etc/hostname'];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.nextInt(xs.length)];

/** One mutant of an ONNX model file. */
export function mutateModel(base: Uint8Array, rng: Rng): Mutant {
  const kind = rng.nextInt(4);
  if (kind === 0) {
    const out = Uint8Array.from(base);
    const n = 1 + rng.nextInt(8);
    const at: number[] = [];
    for (let k = 0; k < n; k++) { const i = rng.nextInt(out.length); out[i] ^= 1 + rng.nextInt(255); at.push(i); }
    return { what: `byte flips at ${at.join(',')}`, bytes: out };
  }
  if (kind === 1) {
    const len = rng.nextInt(base.length);
    return { what: `truncated to ${len} bytes`, bytes: base.subarray(0, len) };
  }
  const m = ModelProto.toObject(ModelProto.decode(base), { longs: Number, bytes: Array, defaults: false }) as unknown as ModelObj;
  const what = kind === 2 ? mutateTensors(m, rng) : mutateGraph(m, rng);
  return { what, bytes: ModelProto.encode(ModelProto.fromObject(m as unknown as Record<string, unknown>)).finish() };
}

function mutateTensors(m: ModelObj, rng: Rng): string {
  const inits = m.graph.initializer;
  if (inits.length === 0) return 'no initializer to mutate';
  const t = pick(rng, inits);
  switch (rng.nextInt(5)) {
    case 0: { const d = (t.dims ?? [1]).map(() => pick(rng, HUGE)); t.dims = d; return `tensor ${t.name} dims → [${d.join(',')}]`; }
    case 1: t.data_type = rng.nextInt(20); return `tensor ${t.name} data_type → ${t.data_type}`;
    case 2: { t.raw_data = (t.raw_data ?? []).slice(0, rng.nextInt(64)); return `tensor ${t.name} raw_data cut to ${t.raw_data.length} bytes`; }
    case 3: {
      const loc = pick(rng, LOCATIONS);
      const kv: KV[] = [{ key: 'location', value: loc }];
      if (rng.nextInt(2)) kv.push({ key: 'offset', value: String(pick(rng, HUGE)) });
      if (rng.nextInt(2)) kv.push({ key: 'length', value: String(pick(rng, HUGE)) });
      t.data_location = 1; t.external_data = kv; delete t.raw_data;
      return `tensor ${t.name} external ${JSON.stringify(kv)}`;
    }
    default: { const d = [pick(rng, HUGE), pick(rng, HUGE)]; t.dims = d; delete t.raw_data; t.float_data = []; return `tensor ${t.name} dims → [${d.join(',')}] with no data`; }
  }
}

function mutateGraph(m: ModelObj, rng: Rng): string {
  const g = m.graph;
  switch (rng.nextInt(6)) {
    case 0: { const n = pick(rng, g.node); const i = rng.nextInt(Math.max(1, n.input?.length ?? 1)); const to = pick(rng, [...g.node.flatMap((x) => x.output ?? []), 'ghost', '']); if (n.input) n.input[i] = to; return `node ${n.op_type} input ${i} → '${to}'`; }
    case 1: { const v = pick(rng, [...g.input, ...g.output]); const e = rng.nextInt(20); if (v.type?.tensor_type) v.type.tensor_type.elem_type = e; return `value ${v.name} elem_type → ${e}`; }
    case 2: { const v = pick(rng, g.input); const dims = v.type?.tensor_type?.shape?.dim; const d = pick(rng, HUGE); if (dims && dims.length) dims[rng.nextInt(dims.length)] = { dim_value: d }; return `input ${v.name} dim → ${d}`; }
    case 3: {
      const n = pick(rng, g.node);
      const a = n.attribute && n.attribute.length ? pick(rng, n.attribute) : undefined;
      if (!a) return `node ${n.op_type} has no attribute`;
      const v = pick(rng, HUGE);
      if (a.ints) a.ints = a.ints.map(() => v); else if (a.i !== undefined) a.i = v; else if (a.f !== undefined) a.f = v; else a.type = rng.nextInt(16);
      return `node ${n.op_type} attribute ${a.name} → ${v}`;
    }
    case 4: { const n = pick(rng, g.node); const op = pick(rng, ['ConstantOfShape', 'Expand', 'Tile', 'Reshape', 'Loop', 'Nope', '']); n.op_type = op; return `node → op ${op}`; }
    default: { const n = pick(rng, g.node); const o = pick(rng, g.node); if (n.output && o.input && o.input.length) o.input[0] = n.output[0]; if (o.output && n.input && n.input.length) n.input[0] = o.output[0]; return `nodes ${n.op_type}/${o.op_type} wired into each other`; }
  }
}

/** An IDX header for `dims` of type uint8 (0x08) or `code`. */
export function idxHeader(dims: readonly number[], code = 0x08): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = code; h[3] = dims.length;
  dims.forEach((d, i) => h.writeUInt32BE(d >>> 0, 4 + 4 * i));
  return h;
}

let bomb: Buffer | undefined;
/** 60000×28×28 declared, 100 MB of zeros behind the header: ~100 KB of gzip (built once). */
function gzipBomb(): Buffer {
  bomb ??= zlib.gzipSync(Buffer.concat([idxHeader([60000, 28, 28]), Buffer.alloc(100e6)]), { level: 1 });
  return bomb;
}

/** One mutant of an IDX file (plain or gzipped). */
export function mutateIdx(base: Buffer, rng: Rng): Mutant {
  switch (rng.nextInt(6)) {
    case 0: { const dims = [pick(rng, [2 ** 32 - 1, 60000, 1 << 20, 0]), pick(rng, [28, 2 ** 16, 1]), 28]; return { what: `header dims ${dims.join('×')}`, bytes: Buffer.concat([idxHeader(dims), base.subarray(16)]) }; }
    case 1: { const gz = zlib.gzipSync(base); const n = rng.nextInt(gz.length); return { what: `gzip cut to ${n} bytes`, bytes: gz.subarray(0, n) }; }
    case 2: { const b = Buffer.from(base); b[rng.nextInt(4)] ^= 1 + rng.nextInt(255); return { what: 'wrong magic', bytes: b }; }
    case 3: return { what: 'gzip bomb: 47 MB declared, 100 MB inflated', bytes: gzipBomb() };
    case 4: { const n = rng.nextInt(base.length); return { what: `cut to ${n} bytes`, bytes: base.subarray(0, n) }; }
    default: { const gz = Buffer.from(zlib.gzipSync(base)); const i = 10 + rng.nextInt(gz.length - 10); gz[i] ^= 0xff; return { what: `gzip byte ${i} flipped`, bytes: gz }; }
  }
}
