/**
 * Serialization: a versioned, self-describing binary format for parameters,
 * keys, plaintexts and ciphertexts (including the ~half-size seeded form of
 * symmetric ciphertexts). This module is the public face (every name below is
 * re-exported from `@qhe/bfv`) and the generic `serialize` / `deserialize`.
 *
 * API (per-kind functions, plus a generic pair that dispatches on the kind):
 *
 *   serializeParameters(params | context | literal) → bytes    deserializeParameters(bytes, { securityLevel?, allowInsecure? }) → BfvParameters
 *   serializeSecretKey(sk)       deserializeSecretKey(ctx, bytes)
 *   serializePublicKey(pk)       deserializePublicKey(ctx, bytes)
 *   serializeRelinKeys(rk)       deserializeRelinKeys(ctx, bytes)
 *   serializeGaloisKeys(gk)      deserializeGaloisKeys(ctx, bytes)
 *   serializePlaintext(pt)       deserializePlaintext(ctx, bytes)
 *   serializeCiphertext(ct, { seeded? })   deserializeCiphertext(ctx, bytes)  (either form)
 *   serialize(obj)               deserialize(ctx, bytes, kind?)
 *   inspectSerialized(bytes) → { version, kind, fingerprint, keyId, byteLength }  (container checks only)
 *   parametersFingerprint(params) → hex string of the 16-byte fingerprint
 *
 * Every failure to load is a `QheError`: code `PARAMETER_MISMATCH` when an intact
 * object was made for other parameters than the context's, `INSECURE_PARAMETERS`
 * when intact parameters fall below the demanded security level (params-codec.ts),
 * `SERIALIZATION` otherwise (message "fn: expected …, got …"). Loading never returns a malformed
 * object: lengths must match exactly, every residue must be < its prime, and every
 * field must hold one of its allowed values. Encoding is canonical: an accepted
 * byte string re-serializes to exactly itself.
 *
 * Where each part of the format lives (one home each; every file documents its bytes):
 *
 *   | part                                             | file                          |
 *   |--------------------------------------------------|-------------------------------|
 *   | integers, raw bytes, packed residues, reader/writer | serialization/bytes.ts     |
 *   | container: magic, version, kind codes, checksum  | serialization/container.ts    |
 *   | params body, parameter fingerprint, sealFor/openFor | params-codec.ts            |
 *   | secretKey, publicKey, relinKeys, galoisKeys (+ KSwitchKey) | keys-codec.ts       |
 *   | plaintext, ciphertext, seededCiphertext          | ciphertext-codec.ts           |
 *   | generic serialize / deserialize                  | this file                     |
 *
 * Adding a kind (e.g. seeded keys):
 *   1. Add its name to SerializedKind and give it the next free code in KIND_CODES
 *      (serialization/container.ts); codes are never reused or renumbered.
 *   2. Write `serializeX(obj)` / `deserializeX(context, bytes)` in `<type>-codec.ts` next to
 *      the type: `const w = new ByteWriter(fn)`, write the fields, `return sealFor(kind,
 *      params, w)`; load inside `guarded(fn, () => …)` with `openFor(fn, bytes, [kind],
 *      context).reader`, read every field with its name, validate it, end with `r.end(kind)`.
 *      Check lengths before allocating (as the Galois-key count check does).
 *   3. Document its body in that file's header table.
 *   4. Register it here: re-export, `Serializable` / `serialize` (writer), `DeserializedObjects`
 *      and `DECODERS` (reader; the compiler refuses a kind without a decoder).
 *   5. Test it: a round trip on both kernels in test/scheme/serialization.test.ts, and a
 *      blob of it in that file's `robustness` list (the corruption properties run over
 *      every blob there); pin its bytes in test/vectors/kat-serialization.json
 *      (test/scheme/kat.test.ts, regenerated with QHE_WRITE_VECTORS=1).
 * Adding a field to an existing kind changes the bytes (and the pinned vectors), so it
 * is a new format version, as the key ids of version 2 were:
 *   1. bump SERIALIZATION_VERSION and add it to READABLE_VERSIONS (container.ts), which
 *      keeps the older versions readable;
 *   2. in the codec, write the field always and read it only when the opened container's
 *      `version` has it (`version >= 2 ? r.keyId(…) : undefined`), with the meaning of its
 *      absence stated in the codec's header table;
 *   3. commit genuine blobs of the previous version (test/vectors/serialization-v1.json)
 *      and regenerate kat-serialization.json.
 * The flags byte is reserved (must be 0).
 *
 * Why this shape.
 * - The checksum covers everything before it and is verified before any field is
 *   interpreted, so accidental corruption and truncation surface as one clear
 *   SERIALIZATION error instead of an odd semantic failure. It is not a MAC, so the
 *   body is still validated field by field afterwards.
 * - The fingerprint refuses cross-parameter loads up front (PARAMETER_MISMATCH):
 *   residues of one modulus chain are valid-looking numbers under another one.
 * - Lengths are fixed by (kind, parameters, a few small header fields), and are
 *   compared with the input before anything is allocated, so garbage can neither
 *   hang the parser nor make it allocate more than the input's size.
 * Lattigo (MarshalBinary per type) and fhe.rs (Serialize per type) keep each codec next
 * to its type in the same way; the container and the fingerprint are qhe's own.
 */
import { Ciphertext, Plaintext } from './ciphertext.js';
import * as ciphertextCodec from './ciphertext-codec.js';
import { BfvContext } from './context.js';
import { GaloisKeys, PublicKey, RelinKeys, SecretKey } from './keys.js';
import * as keysCodec from './keys-codec.js';
import * as paramsCodec from './params-codec.js';
import { isBfvParameters, type BfvParameters } from './params.js';
import { serializationError } from './serialization/bytes.js';
import { SERIALIZED_KINDS, guarded, isSerializedKind, type SerializedKind } from './serialization/container.js';

export { SERIALIZATION_MAGIC, SERIALIZATION_VERSION, inspectSerialized } from './serialization/container.js';
export type { SerializedHeader, SerializedKind } from './serialization/container.js';
export { deserializeParameters, parametersFingerprint, serializeParameters } from './params-codec.js';
export type { DeserializeParametersOptions } from './params-codec.js';
// The public codecs of keys-codec.ts (its load* helpers serve `deserialize` below only).
export {
  deserializeGaloisKeys,
  deserializePublicKey,
  deserializeRelinKeys,
  deserializeSecretKey,
  serializeGaloisKeys,
  serializedGaloisKeysLength,
  serializePublicKey,
  serializeRelinKeys,
  serializeSecretKey,
} from './keys-codec.js';
export type { SerializeKeyOptions } from './keys-codec.js';
export { deserializeCiphertext, deserializePlaintext, serializeCiphertext, serializePlaintext } from './ciphertext-codec.js';
export type { SerializeCiphertextOptions } from './ciphertext-codec.js';

export type Serializable = BfvParameters | BfvContext | SecretKey | PublicKey | RelinKeys | GaloisKeys | Plaintext | Ciphertext;

export interface DeserializedObjects {
  params: BfvParameters;
  secretKey: SecretKey;
  publicKey: PublicKey;
  relinKeys: RelinKeys;
  galoisKeys: GaloisKeys;
  plaintext: Plaintext;
  ciphertext: Ciphertext;
  seededCiphertext: Ciphertext;
  seededPublicKey: PublicKey;
  seededRelinKeys: RelinKeys;
  seededGaloisKeys: GaloisKeys;
}

/** Serializes any supported object (a context serializes its parameters; keys and ciphertexts use the 'auto' seeded mode). */
export function serialize(obj: Serializable): Uint8Array {
  if (obj instanceof SecretKey) return keysCodec.serializeSecretKey(obj);
  if (obj instanceof PublicKey) return keysCodec.serializePublicKey(obj);
  if (obj instanceof RelinKeys) return keysCodec.serializeRelinKeys(obj);
  if (obj instanceof GaloisKeys) return keysCodec.serializeGaloisKeys(obj);
  if (obj instanceof Plaintext) return ciphertextCodec.serializePlaintext(obj);
  if (obj instanceof Ciphertext) return ciphertextCodec.serializeCiphertext(obj);
  if (obj instanceof BfvContext || isBfvParameters(obj)) return paramsCodec.serializeParameters(obj);
  return serializationError('serialize', 'parameters, a key, a plaintext or a ciphertext', obj);
}

/** The loader of each kind, for the generic `deserialize` (the bytes' kind is already checked). */
const DECODERS: { readonly [K in SerializedKind]: (context: BfvContext, bytes: Uint8Array) => DeserializedObjects[K] } = {
  // The context's own security policy: the caller accepted these parameters by building it.
  params: (context, bytes) =>
    paramsCodec.deserializeParameters(bytes, context.params.securityLevel === 'none' ? { allowInsecure: true } : { securityLevel: context.params.securityLevel }),
  secretKey: keysCodec.deserializeSecretKey,
  publicKey: (context, bytes) => keysCodec.loadPublicKey('deserialize', context, bytes, ['publicKey']),
  relinKeys: (context, bytes) => keysCodec.loadRelinKeys('deserialize', context, bytes, ['relinKeys']),
  galoisKeys: (context, bytes) => keysCodec.loadGaloisKeys('deserialize', context, bytes, ['galoisKeys']),
  plaintext: ciphertextCodec.deserializePlaintext,
  ciphertext: (context, bytes) => ciphertextCodec.loadCiphertext('deserialize', context, bytes, ['ciphertext']),
  seededCiphertext: (context, bytes) => ciphertextCodec.loadCiphertext('deserialize', context, bytes, ['seededCiphertext']),
  seededPublicKey: (context, bytes) => keysCodec.loadPublicKey('deserialize', context, bytes, ['seededPublicKey']),
  seededRelinKeys: (context, bytes) => keysCodec.loadRelinKeys('deserialize', context, bytes, ['seededRelinKeys']),
  seededGaloisKeys: (context, bytes) => keysCodec.loadGaloisKeys('deserialize', context, bytes, ['seededGaloisKeys']),
};

/** Kinds that also accept their seeded form in `deserialize(…, kind)`. */
const BOTH_FORMS = Object.freeze({
  ciphertext: ['ciphertext', 'seededCiphertext'],
  publicKey: ['publicKey', 'seededPublicKey'],
  relinKeys: ['relinKeys', 'seededRelinKeys'],
  galoisKeys: ['galoisKeys', 'seededGaloisKeys'],
} as const satisfies Partial<Record<SerializedKind, readonly SerializedKind[]>>);

/**
 * Loads an object for `context`. With `kind`, the bytes must hold that kind
 * ('ciphertext', 'publicKey', 'relinKeys' and 'galoisKeys' accept their seeded
 * form too, 'seededX' only the seeded one); without, any kind is accepted.
 * 'params' must match the context too.
 */
export function deserialize<K extends SerializedKind>(context: BfvContext, bytes: Uint8Array, kind: K): DeserializedObjects[K];
export function deserialize(context: BfvContext, bytes: Uint8Array): DeserializedObjects[SerializedKind];
export function deserialize(context: BfvContext, bytes: Uint8Array, kind?: SerializedKind): DeserializedObjects[SerializedKind] {
  const fn = 'deserialize';
  const allowed: readonly SerializedKind[] =
    kind === undefined ? SERIALIZED_KINDS : kind in BOTH_FORMS ? BOTH_FORMS[kind as keyof typeof BOTH_FORMS] : [kind];
  if (kind !== undefined && !isSerializedKind(kind)) serializationError(fn, `a kind in ${SERIALIZED_KINDS.join(', ')}`, kind);
  const found = guarded(fn, () => paramsCodec.openFor(fn, bytes, allowed, context).kind);
  return DECODERS[found](context, bytes);
}
