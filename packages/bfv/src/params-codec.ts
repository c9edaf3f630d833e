/**
 * Codec of `BfvParameters` (kind `params`), and the parameter fingerprint that
 * binds every other serialized object to the parameters it was made for.
 * Format overview: serialization.ts; container: serialization/container.ts.
 *
 * Body (17 + 8(k + s) bytes, little-endian):
 *
 *   | size  | field                                                              |
 *   |-------|--------------------------------------------------------------------|
 *   | 4     | u32 N                                                              |
 *   | 1     | u8 kernel (0 u32, 1 u64)                                           |
 *   | 1     | u8 k (coefficient primes)                                          |
 *   | 1     | u8 s (special primes)                                              |
 *   | 1     | u8 α = keySwitchDigitSize, in [1, k]                               |
 *   | 8     | u64 t                                                              |
 *   | 8k    | u64 q_0 … q_{k−1}                                                  |
 *   | 8s    | u64 p_0 … p_{s−1}                                                  |
 *   | 1     | u8 security (0 none = allowInsecure, 1/2/3 = 128/192/256)          |
 *
 * Fingerprint: SHA-256("qhe/bfv/params" ‖ params body without its last (security)
 * byte), first 16 bytes. It covers exactly what `BfvContext.id` covers (N, kernel,
 * primes, t) plus α (which fixes how key-switching keys are cut into digits), so an
 * object loads into a context iff it could have been used with it; the params
 * container carries its own fingerprint, which deserializeParameters recomputes.
 * `sealFor` / `openFor` are how every other codec writes and opens a container for
 * a context's parameters.
 *
 * Security on load (issue 13, item 8): `deserializeParameters(bytes, options)`
 * refuses parameters above the HE-standard bound of the demanded level (default
 * 128 bits) with INSECURE_PARAMETERS, whatever level the blob claims, unless the
 * caller opts out with `allowInsecure: true` (as `bfvParameters` does). The generic
 * `deserialize(context, bytes)` applies the context's own level (or its opt-out):
 * the caller already accepted those parameters by building the context.
 */
import { BfvContext } from './context.js';
import { QheError } from './math/errors.js';
import { MAX_LOG_Q, bfvParameters, isBfvParameters, type BfvParameterLiteral, type BfvParameters, type SecurityLevel } from './params.js';
import { ByteWriter, equalBytes, hex, serializationError } from './serialization/bytes.js';
import { FINGERPRINT_BYTES, guarded, openContainer, sealContainer, sha256, type OpenedContainer, type SerializedKind } from './serialization/container.js';

const SECURITY_CODES: readonly (SecurityLevel | 'none')[] = ['none', 128, 192, 256];
const FINGERPRINT_DOMAIN = new TextEncoder().encode('qhe/bfv/params');


/** The params body: ring part (fingerprinted) then the security byte. */
function paramsBody(p: BfvParameters): Uint8Array {
  const k = p.coeffModulus.length;
  const s = p.specialModulus.length;
  if (k > 255 || s > 255) serializationError('serializeParameters', 'at most 255 primes per modulus list', `${k} and ${s}`);
  const out = new Uint8Array(16 + 8 * (k + s) + 1);
  const view = new DataView(out.buffer);
  view.setUint32(0, p.polyDegree, true);
  out[4] = p.kernel === 'u64' ? 1 : 0;
  out[5] = k;
  out[6] = s;
  out[7] = p.keySwitchDigitSize;
  view.setBigUint64(8, p.plainModulus, true);
  [...p.coeffModulus, ...p.specialModulus].forEach((q, i) => view.setBigUint64(16 + 8 * i, q, true));
  out[out.length - 1] = SECURITY_CODES.indexOf(p.securityLevel);
  return out;
}

function fingerprintOfBody(body: Uint8Array): Uint8Array {
  return sha256(FINGERPRINT_DOMAIN, body.subarray(0, body.length - 1)).subarray(0, FINGERPRINT_BYTES);
}

const fingerprints = new WeakMap<BfvParameters, Uint8Array>();

/** The 16-byte fingerprint of validated parameters (cached per parameters object). */
function fingerprintOf(p: BfvParameters): Uint8Array {
  let f = fingerprints.get(p);
  if (!f) {
    f = fingerprintOfBody(paramsBody(p));
    fingerprints.set(p, f);
  }
  return f;
}

function toParams(params: BfvParameters | BfvParameterLiteral | BfvContext): BfvParameters {
  if (params instanceof BfvContext) return params.params;
  return isBfvParameters(params) ? params : bfvParameters(params);
}

/** The 16-byte parameter fingerprint (hex) that serialized objects carry. */
export function parametersFingerprint(params: BfvParameters | BfvParameterLiteral | BfvContext): string {
  return hex(fingerprintOf(toParams(params)));
}

/** The container of a body written for `params`. */
export function sealFor(kind: SerializedKind, params: BfvParameters, body: ByteWriter): Uint8Array {
  return sealContainer(kind, fingerprintOf(params), body);
}

/** Opens a container of one of `kinds` that must have been made for `context`'s parameters. */
export function openFor(fn: string, bytes: Uint8Array, kinds: readonly SerializedKind[], context: BfvContext): OpenedContainer {
  if (!(context instanceof BfvContext)) serializationError(fn, 'a BfvContext', context);
  return openContainer(fn, bytes, kinds, { fingerprint: fingerprintOf(context.params), id: context.id });
}

export function serializeParameters(params: BfvParameters | BfvParameterLiteral | BfvContext): Uint8Array {
  const p = toParams(params);
  const w = new ByteWriter('serializeParameters');
  const body = paramsBody(p);
  w.bytes(body);
  return sealContainer('params', fingerprintOfBody(body), w);
}

export interface DeserializeParametersOptions {
  /** The security level the parameters must reach (HE-standard bound on log2(Q·P)). Default 128. */
  readonly securityLevel?: SecurityLevel;
  /** Accept parameters below that level (tests, toy parameters), as `bfvParameters`' opt-out. Default false. */
  readonly allowInsecure?: boolean;
}

export function deserializeParameters(bytes: Uint8Array, options: DeserializeParametersOptions = {}): BfvParameters {
  const fn = 'deserializeParameters';
  if (options === null || typeof options !== 'object') serializationError(fn, 'an options object { securityLevel?, allowInsecure? } or undefined', options);
  const demanded = options.securityLevel ?? 128;
  if (demanded !== 128 && demanded !== 192 && demanded !== 256) serializationError(fn, 'options.securityLevel: 128, 192 or 256', demanded);
  if (options.allowInsecure !== undefined && typeof options.allowInsecure !== 'boolean') serializationError(fn, 'options.allowInsecure: a boolean', options.allowInsecure);
  const params = loadParameters(fn, bytes);
  const bound = MAX_LOG_Q[demanded][params.polyDegree];
  if (options.allowInsecure !== true && params.logQP > bound)
    throw new QheError(
      'INSECURE_PARAMETERS',
      `${fn}: expected parameters secure at ${demanded} bits (log2(Q·P) ≤ ${bound} for N = ${params.polyDegree}), got log2(Q·P) = ${params.logQP} ` +
        `(stored as security level ${params.securityLevel}; pass { allowInsecure: true } to accept them)`,
    );
  return params;
}

/** The parameters of a params container, validated (canonical), without the security policy. */
function loadParameters(fn: string, bytes: Uint8Array): BfvParameters {
  return guarded(fn, () => {
    const c = openContainer(fn, bytes, ['params']);
    const body = c.reader;
    const n = body.u32('N');
    const kernelCode = body.u8('kernel');
    const k = body.u8('coefficient prime count');
    const s = body.u8('special prime count');
    const alpha = body.u8('key-switching digit size');
    const t = body.u64('t');
    const primes: bigint[] = [];
    for (let i = 0; i < k + s; i++) primes.push(body.u64(`prime ${i}`));
    const securityCode = body.u8('security level');
    body.end('params');
    if (kernelCode > 1) serializationError(fn, 'kernel code 0 (u32) or 1 (u64)', kernelCode);
    if (alpha < 1 || alpha > k) serializationError(fn, `a key-switching digit size in [1, ${k}]`, alpha);
    if (securityCode >= SECURITY_CODES.length) serializationError(fn, 'security code 0..3', securityCode);
    const raw = c.body;
    if (!equalBytes(fingerprintOfBody(raw), c.fingerprint))
      serializationError(fn, `the fingerprint of the stored parameters (${hex(fingerprintOfBody(raw))})`, hex(c.fingerprint));
    const level = SECURITY_CODES[securityCode];
    let params: BfvParameters;
    try {
      params = bfvParameters({
        polyDegree: n,
        kernel: kernelCode === 1 ? 'u64' : 'u32',
        coeffModulus: primes.slice(0, k),
        specialModulus: primes.slice(k),
        plainModulus: t,
        keySwitchDigitSize: alpha,
        // 'none' was stored for parameters over the bound of the requested level, hence over the 256-bit one.
        securityLevel: level === 'none' ? 256 : level,
        allowInsecure: level === 'none',
      });
    } catch (e) {
      const detail = e instanceof QheError ? `${e.code} (${e.message})` : e instanceof Error ? e.message : String(e);
      return serializationError(fn, 'valid BFV parameters', detail);
    }
    if (params.securityLevel !== level) serializationError(fn, `security level ${level} (canonical)`, params.securityLevel);
    if (params.keySwitchDigitSize !== alpha) serializationError(fn, `key-switching digit size ${alpha} (canonical)`, params.keySwitchDigitSize);
    return params;
  });
}
