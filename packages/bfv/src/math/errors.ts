/**
 * Typed errors for qhe, modelled on SEAL's error categories: every failure of a
 * public entry point is a `QheError` with a stable `code`, and its message has
 * the shape "fn: expected X, got Y" so that the bad value is always named.
 */

export type QheErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_RING_DEGREE'
  | 'INVALID_PRIME'
  | 'PRIME_TOO_LARGE'
  | 'PRIME_NOT_NTT_FRIENDLY'
  | 'DUPLICATE_PRIME'
  | 'PRIME_SEARCH_EXHAUSTED'
  | 'OUT_OF_RANGE'
  | 'LENGTH_MISMATCH'
  | 'REPRESENTATION_MISMATCH'
  | 'MODULUS_MISMATCH'
  | 'KERNEL_MISMATCH'
  | 'PARAMETER_MISMATCH'
  | 'INVALID_PARAMETERS'
  | 'PLAIN_MODULUS_INVALID'
  | 'PLAIN_MODULUS_NOT_BATCHING'
  | 'PLAIN_MODULUS_NOT_COPRIME'
  | 'KEY_SWITCH_DIGIT_TOO_LARGE'
  | 'COEFF_MODULUS_TOO_LARGE'
  | 'INSECURE_PARAMETERS'
  | 'PLAINTEXT_OUT_OF_RANGE'
  | 'CIPHERTEXT_SIZE'
  | 'LEVEL_EXHAUSTED'
  | 'NOISE_BUDGET_EXHAUSTED'
  | 'TRANSPARENT_RESULT'
  | 'MISSING_KEY'
  | 'KEY_MISMATCH'
  | 'SERIALIZATION'
  | 'WORKER_FAILED'
  | 'POOL_CLOSED';

export class QheError extends Error {
  readonly code: QheErrorCode;
  constructor(code: QheErrorCode, message: string) {
    super(typeof message === 'string' ? message : describe(message));
    this.name = 'QheError';
    this.code = code;
  }
}

/** Renders a value for an error message: bigints with an `n`, long arrays shortened. */
export function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) {
    const ctor = value.constructor.name;
    return `${ctor}(${(value as unknown as { length: number }).length})`;
  }
  if (Array.isArray(value)) return value.length > 8 ? `array(${value.length})` : `[${value.map(describe).join(', ')}]`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return String(value);
}

/** Throws `QheError(code, "fn: expected <expected>, got <describe(got)>")`. */
export function fail(code: QheErrorCode, fn: string, expected: string, got: unknown): never {
  throw new QheError(code, `${typeof fn === 'string' ? fn : describe(fn)}: expected ${expected}, got ${describe(got)}`);
}
