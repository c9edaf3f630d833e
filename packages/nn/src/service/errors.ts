/**
 * Errors of the inference service. Every failure a route reports is a
 * `ServiceError`: an HTTP status, a stable code and a message of the shape
 * "fn: expected X, got Y", sent as the JSON body `{ "code", "message" }` (with
 * `Retry-After` for the 503s that are worth retrying). The client raises the
 * same class from that body, so a caller sees one error type on both sides.
 *
 * Messages name sizes, counts, kinds and codes, never the contents of a key or
 * a ciphertext; the server logs codes only (server.ts).
 */
import { QheError } from '@qhe/bfv';

export type ServiceErrorCode =
  | 'BAD_REQUEST'
  | 'WIRE_FORMAT'
  | 'SERIALIZATION'
  | 'PARAMETER_MISMATCH'
  | 'KEY_MISMATCH'
  | 'MISSING_KEY'
  | 'MISSING_CHANNEL'
  | 'INVALID_CIPHERTEXT'
  | 'MODE_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNKNOWN_SESSION'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_SESSIONS'
  | 'QUEUE_FULL'
  | 'SHUTTING_DOWN'
  | 'INTERNAL'
  /** Client side: the server could not be reached or answered something that is not the protocol. */
  | 'NETWORK'
  | 'PROTOCOL';

const STATUS: Readonly<Record<ServiceErrorCode, number>> = Object.freeze({
  BAD_REQUEST: 400,
  WIRE_FORMAT: 400,
  SERIALIZATION: 400,
  PARAMETER_MISMATCH: 400,
  KEY_MISMATCH: 400,
  MISSING_KEY: 400,
  MISSING_CHANNEL: 400,
  INVALID_CIPHERTEXT: 400,
  MODE_UNAVAILABLE: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNKNOWN_SESSION: 404,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_SESSIONS: 503,
  QUEUE_FULL: 503,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
  NETWORK: 0,
  PROTOCOL: 0,
});

export class ServiceError extends Error {
  readonly status: number;
  /** NETWORK errors: the server closed the connection before answering (a retry may succeed). */
  connectionReset = false;
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    /** Seconds after which a retry may succeed (503s). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ServiceError';
    this.status = STATUS[code] ?? 0;
  }

  /** The JSON body of the error response. */
  toJSON(): { code: ServiceErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Throws ServiceError(code, "fn: expected <expected>, got <got>"). */
export function refuse(code: ServiceErrorCode, fn: string, expected: string, got: string | number): never {
  throw new ServiceError(code, `${fn}: expected ${expected}, got ${got}`);
}

/** QheError codes a request can cause (the input was wrong) and their service codes. */
const FROM_QHE: Readonly<Partial<Record<string, ServiceErrorCode>>> = Object.freeze({
  SERIALIZATION: 'SERIALIZATION',
  PARAMETER_MISMATCH: 'PARAMETER_MISMATCH',
  KEY_MISMATCH: 'KEY_MISMATCH',
  MISSING_KEY: 'MISSING_KEY',
  LENGTH_MISMATCH: 'BAD_REQUEST',
  INVALID_ARGUMENT: 'BAD_REQUEST',
  CIPHERTEXT_SIZE: 'INVALID_CIPHERTEXT',
  LEVEL_EXHAUSTED: 'INVALID_CIPHERTEXT',
  MODULUS_MISMATCH: 'INVALID_CIPHERTEXT',
  TRANSPARENT_RESULT: 'INVALID_CIPHERTEXT',
});

/**
 * Any thrown value as a ServiceError. QheErrors caused by the request keep
 * their message; anything else becomes INTERNAL with a generic message (an
 * internal error's text could describe server state).
 */
export function asServiceError(e: unknown): ServiceError {
  if (e instanceof ServiceError) return e;
  if (e instanceof QheError) {
    const code = FROM_QHE[e.code];
    if (code) return new ServiceError(code, e.message);
    return new ServiceError('INTERNAL', `server: expected to evaluate the request, got an internal error (${e.code})`);
  }
  return new ServiceError('INTERNAL', 'server: expected to evaluate the request, got an internal error');
}
