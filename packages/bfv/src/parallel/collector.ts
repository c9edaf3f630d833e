/**
 * Paced collection of shared ciphertext storage.
 *
 * Why: a SharedArrayBuffer's storage is released only when the isolate holding
 * its last wrapper collects that wrapper. Ciphertexts of a layer live long
 * enough to reach V8's old generation, whose full collections V8 schedules by
 * the growth of the JavaScript heap (a few MB in an HE job), not by the
 * hundreds of MB of shared storage those few wrappers hold. Measured on the
 * default `qhe run` job (N = 8192, 2 workers): 955 MB of array buffers during
 * the first layer for ≈ 640 MB alive; the resident set keeps what the peak of
 * garbage took (freed storage returns to malloc's free lists, not to the OS).
 *
 * So the parallel evaluator reports the shared bytes it allocates
 * (`noteSharedAllocation`), and after every `SHARED_COLLECTION_BYTES` of them
 * one full collection runs: garbage from shared storage stays below that
 * budget. A full collection of a small heap costs milliseconds; the budget
 * makes it one per hundreds of ciphertexts.
 *
 * The collector is V8's `gc`, exposed at run time (`--expose-gc` through
 * `v8.setFlagsFromString`, then fetched from a fresh context, as jest's leak
 * detector does); if that is unavailable the pacing is a no-op.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fail } from '../math/errors.js';

/** Shared bytes allocated between two paced collections (128 MiB: ≈ 330 ciphertexts of 6 × 8192 32-bit limbs). */
export const SHARED_COLLECTION_BYTES = 128 * 2 ** 20;

let collect: (() => void) | null | undefined;
let sinceLast = 0;
let collections = 0;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return (collect = exposed as () => void);
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collect = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Counts `bytes` of new shared storage; runs a full collection once every SHARED_COLLECTION_BYTES. */
export function noteSharedAllocation(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) fail('INVALID_ARGUMENT', 'noteSharedAllocation', 'a byte count: a safe integer ≥ 0', bytes);
  sinceLast += bytes;
  if (sinceLast < SHARED_COLLECTION_BYTES) return;
  sinceLast = 0;
  const gc = collector();
  if (gc) {
    gc();
    collections++;
  }
}

/** Paced collections so far in this isolate (diagnostics, tests). */
export function sharedCollections(): number {
  return collections;
}
