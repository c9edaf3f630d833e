/**
 * Parser for NumPy's `.npy` format (NEP 1, "A simple file format for NumPy
 * arrays", format versions 1.0, 2.0 and 3.0):
 *   1. magic "\x93NUMPY", one byte major and one byte minor version;
 *   2. header length: u16 little-endian (v1) or u32 little-endian (v2, v3);
 *   3. the header: an ASCII (v3: UTF-8) Python dict literal
 *      {'descr': '<dtype>', 'fortran_order': False, 'shape': (d0, d1, ...), }
 *      padded with spaces and ended by '\n' so that the data is aligned;
 *   4. the data: prod(shape) items of the dtype, C order unless fortran_order.
 * Only little-endian or byte-sized integer dtypes are accepted (what MedMNIST
 * and every x86/ARM NumPy writes), in C order; anything else is a typed
 * `FILE_CORRUPT` error naming the array. No `node:` imports: this file also
 * runs in browsers.
 */
import { fail } from '../model/errors.js';

/** The integer dtypes accepted, by NumPy `descr` (byte order stripped). */
const DTYPES = {
  u1: { bytes: 1, make: (b: ArrayBuffer, o: number, n: number) => new Uint8Array(b, o, n) },
  i1: { bytes: 1, make: (b: ArrayBuffer, o: number, n: number) => new Int8Array(b, o, n) },
  u2: { bytes: 2, make: (b: ArrayBuffer, o: number, n: number) => new Uint16Array(b, o, n) },
  i2: { bytes: 2, make: (b: ArrayBuffer, o: number, n: number) => new Int16Array(b, o, n) },
  u4: { bytes: 4, make: (b: ArrayBuffer, o: number, n: number) => new Uint32Array(b, o, n) },
  i4: { bytes: 4, make: (b: ArrayBuffer, o: number, n: number) => new Int32Array(b, o, n) },
  i8: { bytes: 8, make: (b: ArrayBuffer, o: number, n: number) => new BigInt64Array(b, o, n) },
  u8: { bytes: 8, make: (b: ArrayBuffer, o: number, n: number) => new BigUint64Array(b, o, n) },
} as const;

export type NpyDtype = keyof typeof DTYPES;
export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array;

export interface NpyArray {
  /** Canonical dtype without byte order: 'u1', 'i8', … */
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** prod(shape) items in C order (a fresh copy, aligned, independent of the input buffer). */
  readonly data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses one `.npy` file; `name` names the array in errors. */
export function parseNpy(buf: Uint8Array, name: string): NpyArray {
  const where = `parseNpy(${name})`;
  // Step 1: magic and version.
  if (buf.length < 10) fail('FILE_CORRUPT', where, 'at least a 10-byte .npy preamble', `${buf.length} bytes`);
  if (MAGIC.some((m, i) => buf[i] !== m)) fail('FILE_CORRUPT', where, 'the .npy magic \\x93NUMPY', hexPrefix(buf));
  const major = buf[6];
  if (major < 1 || major > 3) fail('FILE_CORRUPT', where, '.npy format version 1, 2 or 3', `${major}.${buf[7]}`);
  // Step 2: header length.
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (buf.length < 8 + lenBytes) fail('FILE_CORRUPT', where, `a ${8 + lenBytes}-byte preamble`, `${buf.length} bytes`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (buf.length < start) fail('FILE_CORRUPT', where, `a ${headerLen}-byte header`, `${buf.length - 8 - lenBytes} bytes left`);
  // Step 3: the header dict.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(8 + lenBytes, start));
  const { descr, fortran, shape } = parseHeader(header, where);
  const order = descr[0];
  const code = descr.slice(1);
  if (!(code in DTYPES)) fail('FILE_CORRUPT', where, `an integer dtype (${Object.keys(DTYPES).join(', ')})`, descr);
  const dtype = code as NpyDtype;
  const spec = DTYPES[dtype];
  if (order === '>' && spec.bytes > 1) fail('FILE_CORRUPT', where, 'little-endian data', descr);
  if (order !== '<' && order !== '|' && order !== '=' && order !== '>') fail('FILE_CORRUPT', where, "a byte order '<', '|', '=' or '>'", descr);
  const count = shape.reduce((a, b) => a * b, 1);
  if (fortran && shape.filter((d) => d > 1).length > 1) fail('FILE_CORRUPT', where, "C order ('fortran_order': False)", 'fortran_order True');
  // Step 4: the data, copied so that it is aligned for its typed array.
  const bytes = count * spec.bytes;
  if (buf.length - start !== bytes) {
    fail('FILE_CORRUPT', where, `${bytes} data bytes for ${descr} [${shape.join(',')}]`, `${buf.length - start} bytes`);
  }
  const copy = new Uint8Array(bytes);
  copy.set(buf.subarray(start, start + bytes));
  return { dtype, shape, data: spec.make(copy.buffer, 0, count) };
}

/** The three keys of the header dict; a strict reading of what numpy.lib.format writes. */
function parseHeader(h: string, where: string): { descr: string; fortran: boolean; shape: number[] } {
  const body = h.replace(/[\s\n]+$/, '');
  if (!body.startsWith('{') || !body.endsWith('}')) fail('FILE_CORRUPT', where, 'a header dict {…}', body);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(body)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(body)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(body)?.[1];
  if (descr === undefined) fail('FILE_CORRUPT', where, "a 'descr' string in the header", body);
  if (fortran === undefined) fail('FILE_CORRUPT', where, "'fortran_order': True|False in the header", body);
  if (shapeText === undefined) fail('FILE_CORRUPT', where, "a 'shape' tuple in the header", body);
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((s) => {
    if (!/^\d+$/.test(s) || Number(s) > 2 ** 31) fail('FILE_CORRUPT', where, 'non-negative integer dimensions below 2^31', shapeText);
    return Number(s);
  });
  return { descr, fortran: fortran === 'True', shape };
}

function hexPrefix(b: Uint8Array): string {
  return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
