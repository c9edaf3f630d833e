/**
 * Operand checks shared by the synchronous Evaluator and the pool's
 * ParallelEvaluator (parallel/operations.ts runs them before dispatch, so an
 * invalid call rejects with the Evaluator's code without reaching a worker).
 * Each check throws the QheError the Evaluator documents for that operand.
 */
import { Ciphertext, Plaintext } from './ciphertext.js';
import type { BfvContext } from './context.js';
import { GaloisKeys, RelinKeys, galoisElementForStep } from './keys.js';
import { QheError, fail } from './math/errors.js';
import { centre } from './math/zq.js';

/** Every ciphertext belongs to the context's parameters and all sit at one level. */
export function assertCiphertexts(context: BfvContext, fn: string, cts: readonly Ciphertext[]): void {
  for (const ct of cts) {
    if (!(ct instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'a Ciphertext', ct);
    context.assertSame(fn, ct);
  }
  for (const ct of cts)
    if (ct.level !== cts[0].level) fail('PARAMETER_MISMATCH', fn, `operands at one level (${cts[0].level})`, `level ${ct.level}`);
}

export function assertPlaintext(context: BfvContext, fn: string, pt: Plaintext): void {
  if (!(pt instanceof Plaintext)) fail('INVALID_ARGUMENT', fn, 'a Plaintext', pt);
  context.assertSame(fn, pt);
}

/** A zero plaintext factor would make the product transparent (c1 = 0). */
export function assertNonZeroPlain(fn: string, pt: Plaintext): void {
  if (pt.isZero()) throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a non-zero plaintext, got zero: the product would be transparent`);
}

/** An integer constant c as the evaluator multiplies by it: c mod t, centred into (−t/2, t/2]; never 0. */
export function scalarOperand(context: BfvContext, fn: string, c: bigint | number): bigint {
  if (typeof c === 'number' && !Number.isSafeInteger(c)) fail('INVALID_ARGUMENT', fn, 'an integer constant', c);
  if (typeof c !== 'number' && typeof c !== 'bigint') fail('INVALID_ARGUMENT', fn, 'an integer constant', c);
  const s = centre(BigInt(c), context.t);
  if (s === 0n)
    throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a constant ≢ 0 (mod t = ${context.t}), got ${c}: the product would be transparent`);
  return s;
}

export function assertRelinKeys(context: BfvContext, fn: string, keys: RelinKeys): void {
  if (!(keys instanceof RelinKeys)) fail('INVALID_ARGUMENT', fn, 'RelinKeys', keys);
  context.assertSame(fn, keys);
}

export function assertGaloisKeys(context: BfvContext, fn: string, keys: GaloisKeys): void {
  if (!(keys instanceof GaloisKeys)) fail('INVALID_ARGUMENT', fn, 'GaloisKeys', keys);
  context.assertSame(fn, keys);
}

/** Relinearization takes size 2 (a copy) or 3. */
export function assertRelinearizable(fn: string, a: Ciphertext): void {
  if (a.size !== 2 && a.size !== 3) fail('CIPHERTEXT_SIZE', fn, 'a ciphertext of size 2 or 3 (relinearize after each multiply)', a.size);
}

/** Galois automorphisms (rotations) take relinearized ciphertexts only. */
export function assertRelinearized(fn: string, a: Ciphertext): void {
  if (a.size !== 2) fail('CIPHERTEXT_SIZE', fn, 'a relinearized ciphertext (size 2)', a.size);
}

/** A ciphertext that can still drop a prime. */
export function assertNotLastLevel(context: BfvContext, fn: string, a: Ciphertext): void {
  if (a.level >= context.maxLevel)
    fail('LEVEL_EXHAUSTED', fn, `a ciphertext above the last level ${context.maxLevel}`, `level ${a.level}`);
}

/**
 * The Galois elements a row rotation by `steps` applies, in order: none for 0, the
 * step's own element when `keys` holds it, otherwise the power-of-two steps of the
 * binary digits of |steps| (each with the sign of `steps`). Throws unless
 * |steps| < N/2; a missing key surfaces when the element is looked up.
 */
export function rotationElements(context: BfvContext, fn: string, steps: number, keys: GaloisKeys): number[] {
  const n = context.n;
  if (!Number.isInteger(steps) || Math.abs(steps) >= n / 2) fail('INVALID_ARGUMENT', fn, `an integer step with |step| < ${n / 2}`, steps);
  if (steps === 0) return [];
  const direct = galoisElementForStep(n, steps);
  if (keys instanceof GaloisKeys && keys.has(direct)) return [direct];
  const out: number[] = [];
  const sign = Math.sign(steps);
  for (let bit = 1, rest = Math.abs(steps); rest > 0; bit *= 2)
    if (rest & bit) {
      out.push(galoisElementForStep(n, sign * bit));
      rest -= bit;
    }
  return out;
}
