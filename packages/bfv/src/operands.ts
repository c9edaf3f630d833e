/**
 * Operand checks shared by the synchronous Evaluator and the pool's
 * ParallelEvaluator (which runs them before dispatch): every ciphertext belongs
 * to the evaluator's parameters and all operands sit at one level.
 */
import { Ciphertext } from './ciphertext.js';
import type { BfvContext } from './context.js';
import { fail } from './math/errors.js';

export function assertCiphertexts(context: BfvContext, fn: string, cts: readonly Ciphertext[]): void {
  for (const ct of cts) {
    if (!(ct instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'a Ciphertext', ct);
    context.assertSame(fn, ct);
  }
  for (const ct of cts)
    if (ct.level !== cts[0].level) fail('PARAMETER_MISMATCH', fn, `operands at one level (${cts[0].level})`, `level ${ct.level}`);
}
