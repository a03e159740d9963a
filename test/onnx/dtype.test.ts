import { expect } from 'chai';
import * as protobuf from 'protobufjs';
import { DataType } from '../../src/onnx/dtype';
import type { onnx } from '../../src/onnx/onnx-proto';
import { ONNX_PROTO } from '../../src/onnx/onnx-schema';

// src/onnx/dtype.ts writes the runtime enum by hand because the generated one (onnx-proto.d.ts) is
// declarations only, with no object behind it, and is not part of dist/. These checks tie the two.

type Ours = typeof DataType;
type Generated = typeof onnx.TensorProto.DataType;
/** The names of ours that the generated enum lacks or numbers differently (numbers compared as text,
 * as members of two enums never compare); never when they agree. */
type Mismatch = { [K in keyof Ours]: K extends keyof Generated ? (`${Ours[K]}` extends `${Generated[K]}` ? never : K) : K }[keyof Ours];
/** Fails to compile, naming the member, when the enums disagree. */
const agreesAtCompileTime: [Mismatch] extends [never] ? true : Mismatch = true;

describe('DataType', () => {
  it('has the names and numbers of the schema\'s TensorProto.DataType (checked when compiling, and here)', () => {
    expect(agreesAtCompileTime).to.equal(true);
    const schema = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupEnum('onnx.TensorProto.DataType').values;
    const ours = Object.entries(DataType).filter(([, v]) => typeof v === 'number');
    expect(ours.length).to.be.greaterThan(0);
    for (const [name, value] of ours) expect(schema[name], name).to.equal(value);
  });
});
