// Reading and writing .onnx files (protobuf), with weights as external data next to the model.
// Fields crsam does not model are carried through unchanged (pass-through.ts); only fields that
// would change what the graph computes are refused, each naming the field.
import { writeFileAtomic } from '../core/atomic-file';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import type Long from 'long';
import { ONNX_PROTO } from './onnx-schema';
import type { onnx } from './onnx-proto';
import { collectPassThrough, encodeMessage, passThroughOf } from './pass-through';
import { makeOutputDirectory, readRegularFile } from '../core/safe-fs';
import { BYTES_PER_ELEMENT, DataType, TypedArray, allocate, dtypeName, fromBytes, toBytes } from './dtype';
import { OnnxFormatError } from './errors';
import { readExternalData } from './external-data';
import { validateGraph } from './validate-graph';
import { Attribute, Dim, Graph, Model, Node, Tensor, ValueInfo, tensorSize } from './ir';
import { LocalFunction, inlineLocalFunctions } from './functions';

export { OnnxFormatError };

const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
root.resolveAll();
const ModelProto = root.lookupType('onnx.ModelProto');
const GraphProto = root.lookupType('onnx.GraphProto');
const NodeProto = root.lookupType('onnx.NodeProto');
const AttributeProto = root.lookupType('onnx.AttributeProto');
const TensorProto = root.lookupType('onnx.TensorProto');
const ValueInfoProto = root.lookupType('onnx.ValueInfoProto');

// The message types are generated from the same schema (tools/gen-onnx-types.ts), never typed by hand.
type Int64 = number | Long;
type TensorMsg = onnx.ITensorProto;
type ValueInfoMsg = onnx.IValueInfoProto;
type AttrMsg = onnx.IAttributeProto;
type NodeMsg = onnx.INodeProto;
type GraphMsg = onnx.IGraphProto;
type ModelMsg = onnx.IModelProto;
type FunctionMsg = onnx.IFunctionProto;

const num = (v: Int64 | null | undefined): number => (v === undefined || v === null ? 0 : typeof v === 'number' ? v : v.toNumber());
const utf8 = new TextDecoder();

export interface LoadOptions {
  /** Folder that external-data paths are relative to. Default: the model file's folder (cwd for bytes). */
  readonly baseDir?: string;
}

/** Loads a model from a path or from its bytes. */
export function loadModel(source: string | Uint8Array, options: LoadOptions = {}): Model {
  let bytes: Uint8Array;
  let baseDir = options.baseDir ?? process.cwd();
  let label = 'the model bytes';
  if (typeof source === 'string') {
    label = source;
    bytes = readRegularFile(source, 'the model', (m) => new OnnxFormatError(m));
    baseDir = options.baseDir ?? path.dirname(path.resolve(source));
  } else {
    bytes = source;
  }
  let msg: ModelMsg;
  let unknown: string | undefined;
  try {
    msg = ModelProto.decode(bytes) as unknown as ModelMsg;
    unknown = collectPassThrough(ModelProto, bytes, msg);
  } catch (e) {
    throw new OnnxFormatError(`${label} is not a valid ONNX file (it is truncated or corrupt: ${(e as Error).message})`);
  }
  // Arbitrary bytes often parse as a few stray fields: without a graph it is not a model at all.
  if (!msg.graph) throw new OnnxFormatError(`${label} is not an ONNX model: it has no graph`);
  if (unknown) {
    throw new OnnxFormatError(`${label} has the field ${unknown}, inside a part crsam rewrites, so it could not be kept; re-export the model with an ONNX release up to 1.22 (IR version 13)`);
  }
  if (msg.training_info && msg.training_info.length) throw new OnnxFormatError(`${label} carries ONNX training_info, which crsam does not read; export the plain forward model`);
  if (!msg.opset_import || msg.opset_import.length === 0) throw new OnnxFormatError(`${label} imports no opset (opset_import is empty), so its ops cannot be interpreted`);
  const ctx: DecodeContext = { baseDir, label };
  const metadataProps = new Map<string, string>();
  for (const kv of msg.metadata_props ?? []) metadataProps.set(kv.key ?? '', kv.value ?? '');
  const model: Model = {
    irVersion: num(msg.ir_version),
    opsetImports: msg.opset_import.map((o) => ({ domain: o.domain ?? '', version: num(o.version) })),
    producerName: msg.producer_name ?? '',
    producerVersion: msg.producer_version ?? '',
    domain: msg.domain ?? '',
    modelVersion: num(msg.model_version),
    docString: msg.doc_string ?? '',
    metadataProps,
    graph: inlineLocalFunctions(decodeGraph(msg.graph, ctx), (msg.functions ?? []).map((f) => decodeFunction(f, ctx)), label),
    passThrough: passThroughOf(msg),
  };
  validateGraph(model.graph, label);
  return model;
}

interface DecodeContext { baseDir: string; label: string }

/** A FunctionProto; attributes that refer to the function's own (ref_attr_name) are kept apart for the inliner. */
function decodeFunction(f: FunctionMsg, ctx: DecodeContext): LocalFunction {
  const attributeDefaults = new Map<string, Attribute>();
  for (const a of f.attribute_proto ?? []) attributeDefaults.set(a.name ?? '', decodeAttribute(a, { op_type: f.name }, ctx));
  const nodes = (f.node ?? []).map((n) => {
    const refs = (n.attribute ?? []).filter((a) => a.ref_attr_name);
    const node = decodeNode({ ...n, attribute: (n.attribute ?? []).filter((a) => !a.ref_attr_name) }, ctx);
    return { node, attributeRefs: new Map(refs.map((a) => [a.name ?? '', a.ref_attr_name ?? ''])) };
  });
  return { name: f.name ?? '', domain: f.domain === 'ai.onnx' ? '' : f.domain ?? '', inputs: f.input ?? [], outputs: f.output ?? [], attributeDefaults, nodes };
}

function decodeGraph(g: GraphMsg, ctx: DecodeContext): Graph {
  if (g.sparse_initializer && g.sparse_initializer.length) throw new OnnxFormatError(`${ctx.label} has sparse initializers, which crsam does not support; store them dense`);
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) {
    const tensor = decodeTensor(t, ctx);
    if (initializers.has(tensor.name)) throw new OnnxFormatError(`${ctx.label} has two initializers named '${tensor.name}'; every value needs one unique name`);
    initializers.set(tensor.name, tensor);
  }
  const valueInfo = new Map<string, ValueInfo>();
  for (const v of g.value_info ?? []) {
    const vi = decodeValueInfo(v, ctx);
    valueInfo.set(vi.name, vi);
  }
  return {
    name: g.name ?? '',
    nodes: (g.node ?? []).map((n) => decodeNode(n, ctx)),
    inputs: (g.input ?? []).map((v) => decodeValueInfo(v, ctx)),
    outputs: (g.output ?? []).map((v) => decodeValueInfo(v, ctx)),
    initializers,
    valueInfo,
    docString: g.doc_string || undefined,
    passThrough: passThroughOf(g),
  };
}

function decodeValueInfo(v: ValueInfoMsg, ctx: DecodeContext): ValueInfo {
  const tt = v.type?.tensor_type;
  if (v.type && !tt) throw new OnnxFormatError(`${ctx.label}: value '${v.name}' is not a tensor (sequence, map and optional values are not supported)`);
  const shape: Dim[] | undefined = tt?.shape ? (tt.shape.dim ?? []).map((d): Dim => (d.dim_param ? d.dim_param : d.dim_value !== undefined && d.dim_value !== null ? num(d.dim_value) : null)) : undefined;
  return { name: v.name ?? '', dtype: (tt?.elem_type ?? 0) as DataType, shape, docString: v.doc_string || undefined, passThrough: passThroughOf(v) };
}

function decodeNode(n: NodeMsg, ctx: DecodeContext): Node {
  // overload picks one of several same-named model-local functions: without it the call means another function.
  if (n.overload) throw new OnnxFormatError(`${ctx.label}: node '${n.name}' calls the function overload '${n.overload}' (NodeProto.overload), which crsam cannot resolve; export with model-local functions inlined`);
  const attributes = new Map<string, Attribute>();
  for (const a of n.attribute ?? []) {
    if (a.ref_attr_name) throw new OnnxFormatError(`${ctx.label}: node '${n.name}' refers to a function attribute, which is not supported`);
    attributes.set(a.name ?? '', decodeAttribute(a, n, ctx));
  }
  return {
    opType: n.op_type ?? '',
    domain: n.domain === 'ai.onnx' ? '' : n.domain ?? '',
    name: n.name ?? '',
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes,
    docString: n.doc_string || undefined,
    passThrough: passThroughOf(n),
  };
}

function decodeAttribute(a: AttrMsg, n: NodeMsg, ctx: DecodeContext): Attribute {
  switch (a.type) {
    case 1: return { type: 'float', value: a.f ?? 0 };
    case 2: return { type: 'int', value: num(a.i) };
    case 3: return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case 4: return { type: 'tensor', value: decodeTensor(a.t ?? {}, ctx) };
    case 5: return { type: 'graph', value: decodeGraph(a.g ?? {}, ctx) };
    case 6: return { type: 'floats', value: [...(a.floats ?? [])] };
    case 7: return { type: 'ints', value: (a.ints ?? []).map(num) };
    case 8: return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    default:
      throw new OnnxFormatError(`${ctx.label}: attribute '${a.name}' of node '${n.name}' (${n.op_type}) has attribute type ${a.type ?? 'unset'}, which crsam does not support`);
  }
}

function decodeTensor(t: TensorMsg, ctx: DecodeContext): Tensor {
  const dtype = (t.data_type ?? 0) as DataType;
  const dims = (t.dims ?? []).map(num);
  const name = t.name ?? '';
  if (t.segment) throw new OnnxFormatError(`${ctx.label}: tensor '${name}' is segmented, which is not supported`);
  // Every declared size is checked against the bytes really present before anything is allocated:
  // a few bytes of protobuf can declare a tensor of terabytes.
  const { count, bytes } = declaredSize(name, dtype, dims, ctx);
  let data: TypedArray;
  if (t.data_location === 1) {
    const info = new Map((t.external_data ?? []).map((kv) => [kv.key ?? '', kv.value ?? '']));
    data = fromBytes(dtype, readExternalData({ tensor: name, info, expectedBytes: bytes }, ctx.baseDir, ctx.label));
  } else if (t.raw_data && t.raw_data.length > 0) {
    if (t.raw_data.length !== bytes) {
      throw new OnnxFormatError(`${ctx.label}: tensor '${name}' holds ${t.raw_data.length} bytes but its dims [${dims.join(', ')}] of ${dtypeName(dtype)} need ${bytes} (the file is truncated or corrupt)`);
    }
    data = fromBytes(dtype, t.raw_data);
  } else {
    data = fromFields(t, dtype, count, ctx);
  }
  return { name, dtype, dims, data, docString: t.doc_string || undefined, passThrough: passThroughOf(t) };
}

/** Element count and byte size a tensor declares, refusing negative or absurd dims and unsupported types. */
function declaredSize(name: string, dtype: DataType, dims: readonly number[], ctx: DecodeContext): { count: number; bytes: number } {
  const size = BYTES_PER_ELEMENT[dtype];
  if (size === undefined) {
    throw new OnnxFormatError(`${ctx.label}: tensor '${name}' has element type ${dtypeName(dtype)}, which crsam does not support; store it as a numeric type (float, double, int or bool)`);
  }
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new OnnxFormatError(`${ctx.label}: tensor '${name}' has the dimension ${d} in [${dims.join(', ')}]; dimensions must be whole numbers ≥ 0 (the file is corrupt)`);
    count *= d;
    if (count * size > Number.MAX_SAFE_INTEGER) throw new OnnxFormatError(`${ctx.label}: tensor '${name}' declares dims [${dims.join(', ')}], far more data than any file can hold (the file is corrupt)`);
  }
  return { count, bytes: count * size };
}

function fromFields(t: TensorMsg, dtype: DataType, count: number, ctx: DecodeContext): TypedArray {
  const src: readonly (number | Int64)[] =
    dtype === DataType.FLOAT ? t.float_data ?? [] :
    dtype === DataType.DOUBLE ? t.double_data ?? [] :
    dtype === DataType.INT64 ? t.int64_data ?? [] :
    dtype === DataType.UINT64 || dtype === DataType.UINT32 ? t.uint64_data ?? [] :
    t.int32_data ?? [];
  if (src.length !== count) {
    throw new OnnxFormatError(`${ctx.label}: tensor '${t.name ?? ''}' has ${src.length} values but its dims [${(t.dims ?? []).map(num).join(', ')}] need ${count} (the file is truncated or corrupt)`);
  }
  const out = allocate(dtype, count);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    src.forEach((v, i) => { out[i] = typeof v === 'number' ? BigInt(v) : BigInt((v as { toString(): string }).toString()); });
  } else {
    src.forEach((v, i) => { out[i] = num(v); });
  }
  return out;
}

export interface SaveOptions {
  /** Store tensors of at least `externalDataThreshold` bytes in this file next to the model. Default: none (all inline). */
  readonly externalData?: string;
  /** Minimum tensor size in bytes to go external. Default: 1024. */
  readonly externalDataThreshold?: number;
}

/** Encodes a model to bytes (all tensors inline). */
export function serializeModel(model: Model): Uint8Array {
  return encodeModel(model, undefined);
}

/** Writes a model; with `externalData`, large tensors go to a side file (written first, then the model). */
export function saveModel(model: Model, file: string, options: SaveOptions = {}): void {
  let ext: ExternalWriter | undefined;
  if (options.externalData) {
    ext = { location: options.externalData, threshold: options.externalDataThreshold ?? 1024, chunks: [], offset: 0 };
  }
  const bytes = encodeModel(model, ext);
  makeOutputDirectory(path.dirname(path.resolve(file)));
  if (ext) writeAtomic(path.join(path.dirname(path.resolve(file)), ext.location), Buffer.concat(ext.chunks));
  writeAtomic(file, bytes);
}

/** Writes through a temporary file and a rename, so a crash never leaves half a file. */
/** Writes a file atomically and durably (core/atomic-file.ts). */
function writeAtomic(file: string, bytes: Uint8Array): void {
  writeFileAtomic(file, bytes);
}

interface ExternalWriter { location: string; threshold: number; chunks: Uint8Array[]; offset: number }

// Messages are encoded bottom-up so each can append the fields it carried through from its file.
function encodeModel(m: Model, ext: ExternalWriter | undefined): Uint8Array {
  return encodeMessage(ModelProto, {
    ir_version: m.irVersion,
    opset_import: m.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producer_name: m.producerName,
    producer_version: m.producerVersion,
    domain: m.domain,
    model_version: m.modelVersion,
    doc_string: m.docString,
    metadata_props: [...m.metadataProps].map(([key, value]) => ({ key, value })),
  }, [['graph', encodeGraph(m.graph, ext)]], m.passThrough);
}

function encodeGraph(g: Graph, ext: ExternalWriter | undefined): Uint8Array {
  return encodeMessage(GraphProto, { name: g.name, doc_string: g.docString }, [
    ...g.nodes.map((n) => ['node', encodeNode(n)] as const),
    ...[...g.initializers.values()].map((t) => ['initializer', encodeTensor(t, ext)] as const),
    ...g.inputs.map((v) => ['input', encodeValueInfo(v)] as const),
    ...g.outputs.map((v) => ['output', encodeValueInfo(v)] as const),
    ...[...g.valueInfo.values()].map((v) => ['value_info', encodeValueInfo(v)] as const),
  ], g.passThrough);
}

function encodeNode(n: Node): Uint8Array {
  return encodeMessage(NodeProto, {
    input: n.inputs, output: n.outputs, name: n.name, op_type: n.opType, domain: n.domain, doc_string: n.docString,
  }, [...n.attributes].map(([name, a]) => ['attribute', encodeAttribute(name, a)] as const), n.passThrough);
}

function encodeValueInfo(v: ValueInfo): Uint8Array {
  const tensorType: Record<string, unknown> = { elem_type: v.dtype };
  if (v.shape) {
    tensorType.shape = { dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})) };
  }
  return encodeMessage(ValueInfoProto, { name: v.name, doc_string: v.docString, type: { tensor_type: tensorType } }, [], v.passThrough);
}

function encodeAttribute(name: string, a: Attribute): Uint8Array {
  const enc = new TextEncoder();
  switch (a.type) {
    case 'float': return encodeMessage(AttributeProto, { name, type: 1, f: a.value });
    case 'int': return encodeMessage(AttributeProto, { name, type: 2, i: a.value });
    case 'string': return encodeMessage(AttributeProto, { name, type: 3, s: enc.encode(a.value) });
    case 'tensor': return encodeMessage(AttributeProto, { name, type: 4 }, [['t', encodeTensor(a.value, undefined)]]);
    case 'graph': return encodeMessage(AttributeProto, { name, type: 5 }, [['g', encodeGraph(a.value, undefined)]]);
    case 'floats': return encodeMessage(AttributeProto, { name, type: 6, floats: a.value });
    case 'ints': return encodeMessage(AttributeProto, { name, type: 7, ints: a.value });
    case 'strings': return encodeMessage(AttributeProto, { name, type: 8, strings: a.value.map((s) => enc.encode(s)) });
  }
}

function encodeTensor(t: Tensor, ext: ExternalWriter | undefined): Uint8Array {
  if (t.data.length !== tensorSize(t.dims)) throw new Error(`tensor '${t.name}' has ${t.data.length} values for dims [${t.dims.join(', ')}]`);
  const bytes = toBytes(t.data);
  const base = { name: t.name, dims: t.dims, data_type: t.dtype, doc_string: t.docString };
  if (ext && bytes.byteLength >= ext.threshold) {
    const pad = (64 - (ext.offset % 64)) % 64; // keep tensors aligned for memory mapping
    if (pad) { ext.chunks.push(new Uint8Array(pad)); ext.offset += pad; }
    const entry = { ...base, data_location: 1, external_data: [
      { key: 'location', value: ext.location },
      { key: 'offset', value: String(ext.offset) },
      { key: 'length', value: String(bytes.byteLength) },
    ] };
    ext.chunks.push(Uint8Array.from(bytes));
    ext.offset += bytes.byteLength;
    return encodeMessage(TensorProto, entry, [], t.passThrough);
  }
  return encodeMessage(TensorProto, { ...base, raw_data: bytes }, [], t.passThrough);
}
