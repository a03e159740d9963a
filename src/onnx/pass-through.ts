// Fields of an ONNX file that crsam does not model but must not lose: metadata_props on nodes,
// graphs, tensors and values, ModelProto.configuration, NodeProto.device_configurations,
// GraphProto.quantization_annotation, and field numbers newer than our schema. Their encoded bytes
// are copied out of the wire format on load and appended unchanged on save (protobuf lets a
// message's fields come in any order, and a repeated field's entries keep theirs).
import * as protobuf from 'protobufjs';

/**
 * The messages crsam rebuilds from its IR, with the field numbers the IR models; every other field
 * of them is carried through as bytes. Fields a reader must understand (training_info, functions,
 * sparse_initializer, segment, ref_attr_name, overload) count as modelled: io.ts refuses them.
 */
const CARRIERS: Readonly<Record<string, ReadonlySet<number>>> = {
  'onnx.ModelProto': new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25]),
  'onnx.GraphProto': new Set([1, 2, 5, 10, 11, 12, 13, 15]),
  'onnx.NodeProto': new Set([1, 2, 3, 4, 5, 6, 7, 8]),
  'onnx.TensorProto': new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
  'onnx.ValueInfoProto': new Set([1, 2, 3]),
};

/** What one message holds beyond what crsam models, and the same for the messages inside it. */
interface WireTree {
  bytes: Uint8Array[];
  /** Per field name, one tree per occurrence, in wire order (= the decoded array's order). */
  readonly children: Map<string, WireTree[]>;
}

const carried = new WeakMap<object, Uint8Array>();

/** The carried-through bytes of a message object decoded by protobufjs, if it had any. */
export function passThroughOf(msg: object): Uint8Array | undefined {
  return carried.get(msg);
}

/**
 * Walks the encoded `bytes` of `msg` (decoded by `type`) and remembers, for every carrier message
 * inside, the bytes of the fields it does not model. Returns the path of the first unknown field
 * in a message crsam rewrites without carrying anything through (types, shapes, opset ids,
 * key-value entries), since that field could not be kept.
 */
export function collectPassThrough(type: protobuf.Type, bytes: Uint8Array, msg: object): string | undefined {
  const found: { unknown?: string } = {};
  const tree = walk(type, bytes, protobuf.Reader.create(bytes), bytes.length, type.name, found);
  if (found.unknown) return found.unknown;
  attach(type, msg, tree);
  return undefined;
}

function walk(type: protobuf.Type, bytes: Uint8Array, reader: protobuf.Reader, end: number, where: string, found: { unknown?: string }): WireTree {
  const tree: WireTree = { bytes: [], children: new Map() };
  const modelled = CARRIERS[type.fullName.replace(/^\./, '')];
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    const field = type.fieldsById[id];
    if (modelled && (!field || !modelled.has(id))) {
      reader.skipType(wire);
      tree.bytes.push(bytes.slice(start, reader.pos));
      continue;
    }
    if (!field) {
      found.unknown ??= `number ${id} of ${where}`;
      reader.skipType(wire);
      continue;
    }
    if (wire === 2 && field.resolvedType instanceof protobuf.Type) {
      const len = reader.uint32();
      const stop = reader.pos + len;
      if (stop > end) throw new Error(`a ${field.resolvedType.name} runs past the end of the data`);
      const child = walk(field.resolvedType, bytes, reader, stop, `${where}.${field.name}`, found);
      const list = tree.children.get(field.name) ?? [];
      list.push(child);
      tree.children.set(field.name, list);
      reader.pos = stop;
    } else {
      reader.skipType(wire);
    }
  }
  return tree;
}

function attach(type: protobuf.Type, msg: object, tree: WireTree): void {
  if (tree.bytes.length) carried.set(msg, concat(tree.bytes));
  const record = msg as Record<string, unknown>;
  for (const [name, trees] of tree.children) {
    const field = type.fields[name];
    const sub = field?.resolvedType;
    const value = record[name];
    if (!(sub instanceof protobuf.Type) || value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      trees.forEach((t, i) => { if (value[i]) attach(sub, value[i] as object, t); });
    } else {
      // A singular message sent more than once is merged by protobuf: so are its carried fields.
      attach(sub, value, { bytes: trees.flatMap((t) => t.bytes), children: mergeChildren(trees) });
    }
  }
}

function mergeChildren(trees: readonly WireTree[]): Map<string, WireTree[]> {
  const out = new Map<string, WireTree[]>();
  for (const t of trees) for (const [k, v] of t.children) out.set(k, [...(out.get(k) ?? []), ...v]);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  if (parts.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const byId = new WeakMap<protobuf.Type, protobuf.Field[]>();

/**
 * Encodes one message: its plain fields through protobufjs and its carrier sub-messages (already
 * encoded), both in field-number order as protobufjs writes them (so a model that carried nothing
 * encodes byte for byte as before), then the bytes it carried through from its file.
 */
export function encodeMessage(type: protobuf.Type, fields: Record<string, unknown>, children: readonly (readonly [string, Uint8Array])[] = [], passThrough?: Uint8Array): Uint8Array {
  let order = byId.get(type);
  if (!order) { order = [...type.fieldsArray].sort((x, y) => x.id - y.id); byId.set(type, order); }
  const parts: Uint8Array[] = [];
  for (const field of order) {
    const kids = children.filter(([name]) => name === field.name);
    if (kids.length) {
      const w = protobuf.Writer.create();
      for (const [, bytes] of kids) w.uint32(((field.id << 3) | 2) >>> 0).bytes(bytes);
      parts.push(w.finish());
    } else if (fields[field.name] !== undefined) {
      parts.push(type.encode(type.fromObject({ [field.name]: fields[field.name] })).finish());
    }
  }
  if (passThrough && passThrough.length) parts.push(passThrough);
  return concat(parts);
}
