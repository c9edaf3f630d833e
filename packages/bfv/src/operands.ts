/**
 * Operand checks shared by the synchronous Evaluator and the pool's
 * ParallelEvaluator (parallel/operations.ts runs them before dispatch, so an
 * invalid call rejects with the Evaluator's code without reaching a worker).
 * Each check throws the QheError the Evaluator documents for that operand, for
 * any JavaScript value: every ciphertext is a well-formed Ciphertext of the
 * evaluator's parameters and all operands sit at one level; plaintexts belong
 * to the parameters and hold coefficients < t; scalars are integers; option
 * bags are objects.
 */
import { Ciphertext, Plaintext } from './ciphertext.js';
import type { BfvContext } from './context.js';
import { commonKeyId } from './key-id.js';
import { GaloisKeys, RelinKeys, galoisElementForStep } from './keys.js';
import { QheError, describe, fail } from './math/errors.js';
import { centre } from './math/zq.js';

/** Every ciphertext is a well-formed Ciphertext of the context's parameters, and all sit at one level. */
export function assertCiphertexts(context: BfvContext, fn: string, cts: readonly unknown[]): asserts cts is readonly Ciphertext[] {
  for (const ct of cts) {
    if (!(ct instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'a Ciphertext', ct);
    context.assertSame(fn, ct);
    ct.assertWellFormed(fn);
  }
  const first = cts[0] as Ciphertext;
  for (const ct of cts as readonly Ciphertext[])
    if (ct.level !== first.level) fail('PARAMETER_MISMATCH', fn, `operands at one level (${first.level})`, `level ${ct.level}`);
}

/**
 * The key id the operands share (key-id.ts): ciphertexts and evaluation keys of
 * different secret keys are KEY_MISMATCH, before anything is computed.
 */
export function operandsKeyId(fn: string, cts: readonly Ciphertext[], keys?: RelinKeys | GaloisKeys): string | undefined {
  const objects = cts.map((ct, i) => ({ keyId: ct.keyId, what: cts.length === 1 ? 'the ciphertext' : `ciphertext operand ${i + 1}` }));
  if (keys !== undefined) objects.push({ keyId: keys.keyId, what: keys instanceof RelinKeys ? 'the relinearization keys' : 'the Galois keys' });
  return commonKeyId(fn, objects);
}

/** An output buffer: a Ciphertext of these parameters (its contents are overwritten). */
export function assertOutput(context: BfvContext, fn: string, out: unknown): asserts out is Ciphertext {
  if (!(out instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'a Ciphertext to write the result into', out);
  context.assertSame(fn, out);
}

/** A Plaintext of these parameters whose coefficients are all in [0, t). */
export function assertPlaintext(context: BfvContext, fn: string, pt: unknown): asserts pt is Plaintext {
  if (!(pt instanceof Plaintext)) fail('INVALID_ARGUMENT', fn, 'a Plaintext', pt);
  context.assertSame(fn, pt);
  pt.assertInRange(fn);
}

/** A zero plaintext factor would make the product transparent (c1 = 0). */
export function assertNonZeroPlain(fn: string, pt: Plaintext): void {
  if (pt.isZero()) throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a non-zero plaintext, got zero: the product would be transparent`);
}

/** An integer constant c as the evaluator multiplies by it: c mod t, centred into (−t/2, t/2]; never 0. */
export function scalarOperand(context: BfvContext, fn: string, c: unknown): bigint {
  if (!((typeof c === 'number' && Number.isSafeInteger(c)) || typeof c === 'bigint'))
    fail('INVALID_ARGUMENT', fn, 'an integer constant (a safe integer or a bigint)', c);
  const s = centre(BigInt(c), context.t);
  if (s === 0n)
    throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a constant ≢ 0 (mod t = ${context.t}), got ${describe(c)}: the product would be transparent`);
  return s;
}

export function assertRelinKeys(context: BfvContext, fn: string, keys: unknown): asserts keys is RelinKeys {
  if (!(keys instanceof RelinKeys)) fail('INVALID_ARGUMENT', fn, 'RelinKeys', keys);
  context.assertSame(fn, keys);
}

export function assertGaloisKeys(context: BfvContext, fn: string, keys: unknown): asserts keys is GaloisKeys {
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

/** An odd Galois element in [1, 2N). */
export function galoisElementOperand(context: BfvContext, fn: string, g: unknown): number {
  const m = 2 * context.n;
  if (typeof g !== 'number' || !Number.isInteger(g) || g < 1 || g >= m || g % 2 === 0) fail('INVALID_ARGUMENT', fn, `an odd Galois element in [1, ${m})`, g);
  return g;
}

/** A ciphertext that can still drop a prime (the chain may end before the last data prime: params.ts, check 3). */
export function assertNotLastLevel(context: BfvContext, fn: string, a: Ciphertext): void {
  if (a.level >= context.maxLevel) {
    const cut = context.maxLevel < context.params.coeffModulus.length - 1 ? ' (the chain ends there: a lower level could not hold t through a key switch)' : '';
    fail('LEVEL_EXHAUSTED', fn, `a ciphertext above the last level ${context.maxLevel}${cut}`, `level ${a.level}`);
  }
}

/** A target level for modSwitchTo: an integer in [a.level, maxLevel]. */
export function assertTargetLevel(context: BfvContext, fn: string, a: Ciphertext, level: unknown): asserts level is number {
  if (typeof level !== 'number' || !Number.isInteger(level) || level < a.level || level > context.maxLevel)
    fail('LEVEL_EXHAUSTED', fn, `a level in [${a.level}, ${context.maxLevel}]`, level);
}

/**
 * The Galois elements a row rotation by `steps` applies, in order: none for 0, the
 * step's own element when `keys` holds it, otherwise the power-of-two steps of the
 * binary digits of |steps| (each with the sign of `steps`). Throws unless
 * |steps| < N/2; a missing key surfaces when the element is looked up.
 */
export function rotationElements(context: BfvContext, fn: string, steps: unknown, keys: GaloisKeys): number[] {
  const n = context.n;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || Math.abs(steps) >= n / 2)
    fail('INVALID_ARGUMENT', fn, `an integer step with |step| < ${n / 2}`, steps);
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

/** An integer in [min, max] (steps, levels, Galois elements). */
export function integerOperand(fn: string, what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail('INVALID_ARGUMENT', fn, `${what}: an integer in [${min}, ${max}]`, value);
  return value;
}

/** An options bag: undefined (all defaults) or an object. */
export function optionsOperand<T extends object>(fn: string, options: unknown): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail('INVALID_ARGUMENT', fn, 'an options object or undefined', options);
  return options as Partial<T>;
}

/** A boolean option (undefined: the default). */
export function booleanOption(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail('INVALID_ARGUMENT', fn, `options.${name}: a boolean`, value);
  return value;
}
