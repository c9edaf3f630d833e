/**
 * Operand checks shared by the synchronous Evaluator and the pool's
 * ParallelEvaluator (which runs them before dispatch), so that both refuse the
 * same calls with the same codes: every ciphertext is a well-formed Ciphertext
 * of the evaluator's parameters and all operands sit at one level; plaintexts
 * belong to the parameters and hold coefficients < t; scalars are integers;
 * option bags are objects.
 */
import { Ciphertext, Plaintext } from './ciphertext.js';
import type { BfvContext } from './context.js';
import { QheError, describe, fail } from './math/errors.js';
import { centredScalar } from './plain-lift.js';

export function assertCiphertexts(context: BfvContext, fn: string, cts: readonly unknown[]): asserts cts is readonly Ciphertext[] {
  for (const ct of cts) {
    if (!(ct instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'a Ciphertext', ct);
    context.assertSame(fn, ct);
    ct.assertWellFormed(fn);
  }
  const first = cts[0] as Ciphertext;
  for (const ct of cts as Ciphertext[])
    if (ct.level !== first.level) fail('PARAMETER_MISMATCH', fn, `operands at one level (${first.level})`, `level ${ct.level}`);
}

/** An output buffer: a Ciphertext of these parameters (its contents are overwritten). */
export function assertOutput(context: BfvContext, fn: string, out: unknown): asserts out is Ciphertext {
  if (!(out instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'a Ciphertext to write the result into', out);
  context.assertSame(fn, out);
}

export function assertPlaintext(context: BfvContext, fn: string, pt: unknown): asserts pt is Plaintext {
  if (!(pt instanceof Plaintext)) fail('INVALID_ARGUMENT', fn, 'a Plaintext', pt);
  context.assertSame(fn, pt);
  pt.assertInRange(fn);
}

/**
 * An integer constant c (number or bigint) → c mod t, centred. Throws
 * TRANSPARENT_RESULT for c ≡ 0 (mod t): the product would be transparent.
 */
export function scalarOperand(context: BfvContext, fn: string, c: unknown): bigint {
  if (!((typeof c === 'number' && Number.isSafeInteger(c)) || typeof c === 'bigint'))
    fail('INVALID_ARGUMENT', fn, 'an integer constant (a safe integer or a bigint)', c);
  const s = centredScalar(BigInt(c), context.t);
  if (s === 0n)
    throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a constant ≢ 0 (mod t = ${context.t}), got ${describe(c)}: the product would be transparent`);
  return s;
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
