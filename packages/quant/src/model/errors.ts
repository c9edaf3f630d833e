/**
 * Typed errors for @qhe/quant. Every failure of a public entry point is a
 * `QuantError` with a stable `code`; the message has the shape
 * "where: expected X, got Y" so that the offending field or file is named.
 * Lives under model/ so that the TF.js-free `@qhe/quant/model` subpath owns it.
 */

export type QuantErrorCode =
  | 'INVALID_ARGUMENT'
  | 'FILE_MISSING'
  | 'FILE_CORRUPT'
  | 'MODEL_FORMAT'
  | 'MODEL_VERSION'
  | 'MODEL_FIELD'
  | 'MODEL_SHAPE'
  | 'INPUT_OUT_OF_RANGE';

export class QuantError extends Error {
  readonly code: QuantErrorCode;
  constructor(code: QuantErrorCode, message: string) {
    super(message);
    this.name = 'QuantError';
    this.code = code;
  }
}

/** Throws a QuantError "where: expected X, got Y". */
export function fail(code: QuantErrorCode, where: string, expected: string, got: unknown): never {
  throw new QuantError(code, `${where}: expected ${expected}, got ${describe(got)}`);
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? JSON.stringify(v.slice(0, 40) + '…') : JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return String(v);
}
