// Typed attribute values for GraphBuilder calls: the ONNX attribute type is written at the call
// site (attr.float(1) is FLOAT, attr.int(1) is INT), never guessed from a JavaScript number.
import { Attribute, Tensor } from './ir';

export const attr = {
  int<T extends number | undefined>(value: T): Attribute | (T extends undefined ? undefined : never) {
    if (value === undefined) return undefined as T extends undefined ? undefined : never;
    if (!Number.isSafeInteger(value)) throw new Error(`internal: the INT attribute value ${value} is not a whole number; use attr.float`);
    return { type: 'int', value };
  },
  float(value: number): Attribute {
    return { type: 'float', value };
  },
  ints<T extends readonly number[] | undefined>(value: T): Attribute | (T extends undefined ? undefined : never) {
    if (value === undefined) return undefined as T extends undefined ? undefined : never;
    if (!value.every(Number.isSafeInteger)) throw new Error(`internal: the INTS attribute value [${value.join(', ')}] has a fraction; use attr.floats`);
    return { type: 'ints', value: [...value] };
  },
  floats(value: readonly number[]): Attribute {
    return { type: 'floats', value: [...value] };
  },
  string(value: string): Attribute {
    return { type: 'string', value };
  },
  tensor(value: Tensor): Attribute {
    return { type: 'tensor', value };
  },
} as const;
