/**
 * Parser for the IDX format of the MNIST distribution (LeCun et al., "Gradient-
 * based learning applied to document recognition", 1998; format on
 * yann.lecun.com/exdb/mnist): big-endian header 0x00 0x00 <type> <ndims>, then
 * ndims u32 dimensions, then the data. Only unsigned bytes (type 0x08) occur
 * in MNIST, so only that type is accepted. No `node:` imports (browsers parse
 * the same bytes; reading files is idx.ts).
 */
import { fail } from '../model/errors.js';

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Parses an IDX u8 buffer; `name` names the file in errors. */
export function parseIdx(buf: Uint8Array, name: string, expectedDims?: readonly number[]): IdxArray {
  const where = `parseIdx(${name})`;
  if (buf.length < 4) fail('FILE_CORRUPT', where, 'at least a 4-byte header', `${buf.length} bytes`);
  if (buf[0] !== 0 || buf[1] !== 0) fail('FILE_CORRUPT', where, 'magic 0x0000', `0x${hex(buf[0])}${hex(buf[1])}`);
  if (buf[2] !== 0x08) fail('FILE_CORRUPT', where, 'data type 0x08 (u8)', `0x${hex(buf[2])}`);
  const nd = buf[3];
  if (nd < 1 || nd > 4) fail('FILE_CORRUPT', where, '1..4 dimensions', nd);
  const headerLen = 4 + 4 * nd;
  if (buf.length < headerLen) fail('FILE_CORRUPT', where, `a ${headerLen}-byte header`, `${buf.length} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  if (expectedDims) {
    if (expectedDims.length !== nd || expectedDims.some((d, i) => d !== dims[i])) {
      fail('FILE_CORRUPT', where, `dims [${expectedDims.join(',')}]`, `[${dims.join(',')}]`);
    }
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== headerLen + size) {
    fail('FILE_CORRUPT', where, `${headerLen + size} bytes for dims [${dims.join(',')}]`, `${buf.length} bytes`);
  }
  return { dims, data: buf.subarray(headerLen) };
}

function hex(b: number | undefined): string { return (b ?? 0).toString(16).padStart(2, '0'); }
