// ONNX element types (TensorProto.DataType) and the typed arrays that hold them. The enum is written
// here because the generated one (onnx-proto.d.ts) is declarations only, with no runtime object, and
// is not copied to dist/ (Tensor.dtype is public API). It is the subset crsam holds in memory;
// test/onnx/dtype.test.ts fails to compile when a name or number differs from the generated enum.

export enum DataType {
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  STRING = 8,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  UINT32 = 12,
  UINT64 = 13,
}

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Bytes per element for every numeric type we can hold in memory. */
export const BYTES_PER_ELEMENT: Readonly<Partial<Record<DataType, number>>> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.UINT32]: 4,
  [DataType.UINT64]: 8,
};

export function dtypeName(t: DataType): string {
  return DataType[t] ?? `type ${t as number}`;
}

export function isFloatType(t: DataType): boolean {
  return t === DataType.FLOAT || t === DataType.DOUBLE || t === DataType.FLOAT16;
}

/** Allocates a zeroed typed array for `n` elements of `t`. */
export function allocate(t: DataType, n: number): TypedArray {
  switch (t) {
    case DataType.FLOAT: return new Float32Array(n);
    case DataType.DOUBLE: return new Float64Array(n);
    case DataType.INT8: return new Int8Array(n);
    case DataType.UINT8: case DataType.BOOL: return new Uint8Array(n);
    case DataType.INT16: return new Int16Array(n);
    case DataType.UINT16: case DataType.FLOAT16: return new Uint16Array(n);
    case DataType.INT32: return new Int32Array(n);
    case DataType.UINT32: return new Uint32Array(n);
    case DataType.INT64: return new BigInt64Array(n);
    case DataType.UINT64: return new BigUint64Array(n);
    default: throw new Error(`tensors of element type ${dtypeName(t)} are not supported`);
  }
}

/** Views little-endian bytes as a typed array of `t` (copies, so the result is aligned). */
export function fromBytes(t: DataType, bytes: Uint8Array): TypedArray {
  const size = BYTES_PER_ELEMENT[t];
  if (size === undefined) throw new Error(`tensors of element type ${dtypeName(t)} are not supported`);
  if (bytes.byteLength % size !== 0) {
    throw new Error(`raw data of ${bytes.byteLength} bytes is not a whole number of ${dtypeName(t)} elements`);
  }
  const out = allocate(t, bytes.byteLength / size);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}

export function toBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
