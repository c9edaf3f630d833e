/**
 * The messages between a WorkerPool and its workers, and the shared-memory form
 * of ciphertexts, plaintexts and keys. What a job item means is the operation
 * table's business (operations.ts).
 *
 * Why descriptors of typed arrays: an Int32Array / BigUint64Array over a
 * SharedArrayBuffer crosses `postMessage` by reference (the structured clone of
 * a SharedArrayBuffer shares its memory), so a worker computes directly in the
 * caller's ciphertexts. Structured clone also keeps object identity inside one
 * message: when the same array appears twice (e.g. `out === a`), the worker sees
 * one array twice and can rebuild the same aliasing the synchronous Evaluator
 * relies on.
 */
import { Ciphertext } from '../ciphertext.js';
import { noteSharedAllocation } from './collector.js';
import type { BfvContext } from '../context.js';
import { fail } from '../math/errors.js';
import type { Residues } from '../math/kernel.js';
import { RnsPoly } from '../math/poly.js';
import type { BfvParameterLiteral, BfvParameters } from '../params.js';
import type { JobItem } from './operations.js';

/** A ciphertext whose polynomials live in SharedArrayBuffers. */
export interface SharedCiphertext {
  readonly level: number;
  readonly polys: readonly Residues[];
}

/** One key-switching key: per digit, the (b, a) residues over the key base of its level (KSwitchKey.level). */
export interface SharedKSwitchKey {
  readonly b: readonly Residues[];
  readonly a: readonly Residues[];
  readonly level: number;
}

export type KeyPayload =
  | { readonly kind: 'relin'; readonly key: SharedKSwitchKey }
  | { readonly kind: 'galois'; readonly keys: readonly { readonly elt: number; readonly key: SharedKSwitchKey }[] };

export type ToWorker =
  | { readonly t: 'context'; readonly ctx: string; readonly params: BfvParameters }
  | { readonly t: 'keys'; readonly keyId: number; readonly ctx: string; readonly payload: KeyPayload }
  | { readonly t: 'release'; readonly keyId: number }
  | { readonly t: 'job'; readonly job: number; readonly ctx: string; readonly items: readonly JobItem[] };

export type FromWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'done'; readonly job: number; readonly results: readonly unknown[] }
  | { readonly t: 'fail'; readonly job: number; readonly code: string | undefined; readonly name: string; readonly message: string };

export function isShared(a: Residues): boolean {
  if (!ArrayBuffer.isView(a)) fail('INVALID_ARGUMENT', 'isShared', 'a typed array', a);
  return a.buffer instanceof SharedArrayBuffer;
}

export function describeCiphertext(ct: Ciphertext): SharedCiphertext {
  return { level: ct.level, polys: ct.polys.map((p) => p.data) };
}

/** Rebuilds a Ciphertext over the shared arrays of a descriptor (no copy). */
export function ciphertextFrom(ctx: BfvContext, d: SharedCiphertext): Ciphertext {
  const base = ctx.level(d.level).base;
  return new Ciphertext(ctx, d.level, d.polys.map((data) => new RnsPoly(base, data, 'coeff')));
}

/**
 * Moves a ciphertext's polynomials into shared memory, in place: same values,
 * new storage. Done once per ciphertext (later calls find it shared); a cache
 * of copies keyed by the ciphertext would go stale when the synchronous
 * evaluator later writes into the original arrays.
 */
export function adoptShared(ct: Ciphertext): Ciphertext {
  if (!(ct instanceof Ciphertext)) fail('INVALID_ARGUMENT', 'adoptShared', 'a Ciphertext', ct);
  ct.assertWellFormed('adoptShared');
  for (let k = 0; k < ct.polys.length; k++) {
    if (isShared(ct.polys[k].data)) continue;
    ct.polys[k] = ct.polys[k].clone(true);
    noteSharedAllocation(ct.polys[k].data.byteLength);
  }
  return ct;
}

/** A shared copy of residues (keys, plaintexts). */
export function sharedCopy(ctx: BfvContext, data: Residues): Residues {
  if (isShared(data)) return data;
  const copy = ctx.kernel.alloc(data.length, true);
  ctx.kernel.copy(data, copy);
  return copy;
}

/**
 * BfvParameters → a literal that rebuilds the identical context in a worker
 * (a structured clone loses Object.freeze, so BfvContext would re-validate it).
 * Every field but the derived ones is carried over, so parameters added to
 * BfvParameters later travel without a change here; `sameParameters` checks.
 */
export function parametersLiteral(p: BfvParameters): BfvParameterLiteral {
  const { batching: _b, logQP: _qp, logQ: _q, securityLevel, ...rest } = p;
  return { ...rest, ...(securityLevel === 'none' ? { allowInsecure: true } : { securityLevel }) } as BfvParameterLiteral;
}

const keyCache = new WeakMap<BfvContext, string>();

/**
 * The pool's name for a parameter set: the full parameters, not `context.id`,
 * which omits fields such as keySwitchDigitSize (two contexts that differ only
 * there share an id but not their key layout).
 */
export function contextKey(ctx: BfvContext): string {
  let k = keyCache.get(ctx);
  if (k === undefined) keyCache.set(ctx, (k = paramsText(ctx.params)));
  return k;
}

function paramsText(p: BfvParameters): string {
  return JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** Field-by-field equality of two validated parameter sets (bigints included). */
export function sameParameters(x: BfvParameters, y: BfvParameters): boolean {
  return paramsText(x) === paramsText(y);
}
