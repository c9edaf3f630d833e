/**
 * The container of the serialization format: every serialized object is one
 * container around one body. This file is the only place that knows the header
 * layout, the kind codes and the checksum.
 *
 * Layout (all integers little-endian; B = body length):
 *
 *   | offset | size | field                                                          |
 *   |--------|------|----------------------------------------------------------------|
 *   | 0      | 4    | magic "QHE1" (0x51 0x48 0x45 0x31)                             |
 *   | 4      | 2    | format version, u16 = 2 (1 is still read, below)               |
 *   | 6      | 1    | kind, u8 (KIND_CODES below)                                    |
 *   | 7      | 1    | flags, u8 = 0 (reserved)                                       |
 *   | 8      | 16   | parameter fingerprint (params-codec.ts)                        |
 *   | 24     | 4    | B, u32                                                         |
 *   | 28     | B    | body (the kind's codec)                                        |
 *   | 28 + B | 16   | checksum: SHA-256(bytes[0, 28 + B)) truncated to 16 bytes      |
 *
 * Versions. 2 (written): the bodies of the key-bearing kinds (KEY_ID_KINDS) begin
 * with the 16-byte key id of their secret key (key-id.ts; 16 zero bytes: unknown).
 * 1 (read only): the same bodies without that field; such objects load with an
 * unknown key id, which matches any key (key-id.ts), so version-1 data keeps
 * working and only loses the KEY_MISMATCH check. Other kinds are identical in
 * both versions.
 *
 * Opening checks, in order: magic and version (they fix how the rest is read),
 * total length against B, checksum (before any field is interpreted, so
 * corruption and truncation surface as one clear error), flags, kind, and — for
 * objects loaded into a context — the fingerprint (PARAMETER_MISMATCH). The
 * checksum is not a MAC: an attacker can recompute it, which is why every codec
 * still validates its body field by field.
 */
import { sha256 } from '../math/crypto.js';
import { QheError } from '../math/errors.js';
import { ByteReader, type ByteWriter, equalBytes, hex, serializationError } from './bytes.js';

/** Format version written by this module. */
export const SERIALIZATION_VERSION = 2;
/** Versions this module reads (see the header). */
export const READABLE_VERSIONS: readonly number[] = Object.freeze([1, 2]);
/** The first four bytes of every serialized object (ASCII). */
export const SERIALIZATION_MAGIC = 'QHE1';
const MAGIC_BYTES = new Uint8Array([0x51, 0x48, 0x45, 0x31]);

/** The kinds of serialized objects (see KIND_CODES for their wire values). */
export type SerializedKind =
  | 'params'
  | 'secretKey'
  | 'publicKey'
  | 'relinKeys'
  | 'galoisKeys'
  | 'plaintext'
  | 'ciphertext'
  | 'seededCiphertext'
  | 'seededPublicKey'
  | 'seededRelinKeys'
  | 'seededGaloisKeys';

/**
 * Kind codes: the wire value of each kind, never reused or renumbered. A new kind
 * joins `SerializedKind` and takes the next free code here.
 */
const KIND_CODES: Readonly<Record<SerializedKind, number>> = Object.freeze({
  params: 1,
  secretKey: 2,
  publicKey: 3,
  relinKeys: 4,
  galoisKeys: 5,
  plaintext: 6,
  ciphertext: 7,
  seededCiphertext: 8,
  seededPublicKey: 9,
  seededRelinKeys: 10,
  seededGaloisKeys: 11,
});

/** Every kind, in code order. */
export const SERIALIZED_KINDS: readonly SerializedKind[] = Object.freeze(
  (Object.keys(KIND_CODES) as SerializedKind[]).sort((a, b) => KIND_CODES[a] - KIND_CODES[b]),
);

const KIND_NAMES: readonly (SerializedKind | undefined)[] = (() => {
  const names: (SerializedKind | undefined)[] = [];
  for (const kind of SERIALIZED_KINDS) names[KIND_CODES[kind]] = kind;
  return names;
})();

/** Kinds whose body starts with a key id from version 2 on. */
export const KEY_ID_KINDS: readonly SerializedKind[] = Object.freeze(['publicKey', 'relinKeys', 'galoisKeys', 'ciphertext', 'seededCiphertext', 'seededPublicKey', 'seededRelinKeys', 'seededGaloisKeys'] as const);

export function isSerializedKind(kind: unknown): kind is SerializedKind {
  return typeof kind === 'string' && Object.hasOwn(KIND_CODES, kind);
}

const HEADER_BYTES = 28;
/** Bytes a container adds to its body (header and checksum). */
export const CONTAINER_OVERHEAD = 28 + 16;
/** Size of the parameter fingerprint in the header. */
export const FINGERPRINT_BYTES = 16;
const CHECKSUM_BYTES = 16;
const MAX_BODY_BYTES = 0xffffffff;

/** SHA-256 (math/crypto.ts: native in Node, @noble/hashes in browsers; the same bytes). */
export { sha256 };

/** The container around a written body. */
export function sealContainer(kind: SerializedKind, fingerprint: Uint8Array, body: ByteWriter): Uint8Array {
  const fn = body.fn;
  if (body.length > MAX_BODY_BYTES) serializationError(fn, `a body of at most ${MAX_BODY_BYTES} bytes`, `${body.length} bytes`);
  const out = new Uint8Array(HEADER_BYTES + body.length + CHECKSUM_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC_BYTES, 0);
  view.setUint16(4, SERIALIZATION_VERSION, true);
  out[6] = KIND_CODES[kind];
  out[7] = 0;
  out.set(fingerprint, 8);
  view.setUint32(24, body.length, true);
  const end = body.copyTo(out, HEADER_BYTES);
  out.set(sha256(out.subarray(0, end)).subarray(0, CHECKSUM_BYTES), end);
  return out;
}

/** The fingerprint an object must carry to load, and how to name those parameters in errors. */
export interface ExpectedParameters {
  readonly fingerprint: Uint8Array;
  readonly id: string;
}

export interface OpenedContainer {
  /** Format version of the bytes (one of READABLE_VERSIONS). */
  readonly version: number;
  readonly kind: SerializedKind;
  readonly fingerprint: Uint8Array;
  /** The raw body (a view into the input). */
  readonly body: Uint8Array;
  /** A reader positioned at the start of the body. */
  readonly reader: ByteReader;
}

/** Checks magic, version, length, checksum, flags and kind; with `expected`, the fingerprint. */
export function openContainer(fn: string, bytes: unknown, kinds: readonly SerializedKind[], expected?: ExpectedParameters): OpenedContainer {
  if (!(bytes instanceof Uint8Array)) serializationError(fn, 'a Uint8Array', bytes);
  const min = HEADER_BYTES + CHECKSUM_BYTES;
  if (bytes.length < min) serializationError(fn, `at least ${min} bytes (header and checksum)`, `${bytes.length} bytes`);
  for (let i = 0; i < 4; i++)
    if (bytes[i] !== MAGIC_BYTES[i]) serializationError(fn, 'magic "QHE1" (51484531)', hex(bytes.subarray(0, 4)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (!READABLE_VERSIONS.includes(version)) serializationError(fn, `format version ${READABLE_VERSIONS.join(' or ')}`, version);
  const bodyLength = view.getUint32(24, true);
  const total = HEADER_BYTES + bodyLength + CHECKSUM_BYTES;
  if (bytes.length !== total)
    serializationError(fn, `${total} bytes (header states a ${bodyLength}-byte body)`, `${bytes.length} bytes`);
  const end = HEADER_BYTES + bodyLength;
  const sum = sha256(bytes.subarray(0, end)).subarray(0, CHECKSUM_BYTES);
  if (!equalBytes(sum, bytes.subarray(end)))
    serializationError(fn, `checksum ${hex(sum)} (the data is corrupted)`, hex(bytes.subarray(end)));
  if (bytes[7] !== 0) serializationError(fn, 'flags 0', bytes[7]);
  const kind = KIND_NAMES[bytes[6]];
  if (kind === undefined || !kinds.includes(kind))
    serializationError(fn, `a serialized ${kinds.join(' or ')}`, `a ${KIND_NAMES[bytes[6]] ?? `unknown kind ${bytes[6]}`}`);
  const fingerprint = bytes.slice(8, 8 + FINGERPRINT_BYTES);
  if (expected && !equalBytes(fingerprint, expected.fingerprint))
    throw new QheError(
      'PARAMETER_MISMATCH',
      `${fn}: expected an object for parameters ${expected.id} (fingerprint ${hex(expected.fingerprint)}), got one for parameters with fingerprint ${hex(fingerprint)}`,
    );
  const body = bytes.subarray(HEADER_BYTES, end);
  return { version, kind, fingerprint, body, reader: new ByteReader(fn, body, HEADER_BYTES) };
}

/**
 * Runs a parser; any failure that is not already SERIALIZATION, PARAMETER_MISMATCH
 * or INSECURE_PARAMETERS (an intact object refused by the caller's policy) becomes SERIALIZATION.
 */
export function guarded<T>(fn: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof QheError && (e.code === 'SERIALIZATION' || e.code === 'PARAMETER_MISMATCH' || e.code === 'INSECURE_PARAMETERS')) throw e;
    const detail = e instanceof QheError ? `${e.code}: ${e.message}` : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new QheError('SERIALIZATION', `${fn}: expected a well-formed object, got an error while loading (${detail})`);
  }
}

export interface SerializedHeader {
  readonly version: number;
  readonly kind: SerializedKind;
  /** Hex of the 16-byte parameter fingerprint (compare with `parametersFingerprint`). */
  readonly fingerprint: string;
  /** The key id of a key-bearing kind in version ≥ 2 (undefined: unknown or not stored). */
  readonly keyId: string | undefined;
  readonly byteLength: number;
}

/** Validates the container (magic, version, length, checksum, kind) without a context and reports its header. */
export function inspectSerialized(bytes: Uint8Array): SerializedHeader {
  const fn = 'inspectSerialized';
  const c = guarded(fn, () => openContainer(fn, bytes, SERIALIZED_KINDS));
  const keyId = c.version >= 2 && KEY_ID_KINDS.includes(c.kind) ? guarded(fn, () => c.reader.keyId('the key id')) : undefined;
  return Object.freeze({ version: c.version, kind: c.kind, fingerprint: hex(c.fingerprint), keyId, byteLength: bytes.length });
}
