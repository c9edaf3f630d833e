/**
 * The three messages of the service (wire.ts frames them) and the checks both
 * sides apply to their headers:
 *
 * - keys (`POST /v1/sessions`): per channel j in order, the frames named by
 *   `perChannel` — a public key, relinearization keys and, when the mode needs
 *   rotations, Galois keys — each for channel j's parameters.
 * - infer (`POST /v1/sessions/{id}/infer`): `channels × perChannel`
 *   ciphertexts, channel-major (all of channel 0, then channel 1, …), so the
 *   server can evaluate channel j while channel j + 1 is still arriving.
 * - logits (the answer): `channels × perChannel` ciphertexts, channel-major,
 *   and the server's stage times.
 *
 * Runs in browsers (no `node:` imports).
 */
import type { InferenceMode } from './card.js';
import { refuse } from './errors.js';
import type { WireHeader } from './wire.js';

export type KeyRole = 'publicKey' | 'relinKeys' | 'galoisKeys';

export interface KeysHeader extends WireHeader {
  readonly kind: 'keys';
  readonly mode: InferenceMode;
  readonly channels: number;
  readonly perChannel: readonly KeyRole[];
}

export interface InferHeader extends WireHeader {
  readonly kind: 'infer';
  readonly mode: InferenceMode;
  readonly images: number;
  readonly channels: number;
  readonly perChannel: number;
}

/** Server stage times of one request (ms). computeMs + floodMs is the server computation. */
export interface ServerTiming {
  /** Admission to start (waiting for the job queue). */
  readonly queueMs: number;
  /** Start to the last request byte (transport and parsing, overlapped with computation). */
  readonly receiveMs: number;
  /** Frame → ciphertext, including seed expansion (part of receiveMs). */
  readonly deserializeMs: number;
  /** Homomorphic evaluation of the network. */
  readonly computeMs: number;
  /** Re-randomization and noise flooding of the outputs. */
  readonly floodMs: number;
  /** Outputs → frames. */
  readonly serializeMs: number;
  /** Start to the response being ready. */
  readonly totalMs: number;
}

export interface LogitsHeader extends WireHeader {
  readonly kind: 'logits';
  readonly mode: InferenceMode;
  readonly images: number;
  readonly channels: number;
  readonly perChannel: number;
  /** λ of the flooding applied to these ciphertexts, or null when the server runs with --no-flooding. */
  readonly flooding: number | null;
  readonly timing: ServerTiming;
}

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Checks a keys header against what the mode needs. */
export function checkKeysHeader(h: WireHeader, mode: InferenceMode, channels: number, roles: readonly KeyRole[]): KeysHeader {
  const fn = 'POST /v1/sessions';
  if (h.kind !== 'keys') refuse('WIRE_FORMAT', fn, 'a "keys" message', JSON.stringify(h.kind));
  if (h.mode !== mode) refuse('MODE_UNAVAILABLE', fn, `mode "${mode}"`, JSON.stringify(h.mode));
  if (h.channels !== channels) refuse('MISSING_CHANNEL', fn, `keys for ${channels} channels`, String(h.channels));
  const per = h.perChannel;
  if (!Array.isArray(per) || per.length !== roles.length || per.some((r, i) => r !== roles[i]))
    refuse('MISSING_KEY', fn, `per channel the keys [${roles.join(', ')}]`, Array.isArray(per) ? `[${per.map(String).join(', ')}]` : typeof per);
  if (h.frames !== channels * roles.length) refuse('WIRE_FORMAT', fn, `${channels * roles.length} frames`, h.frames);
  return h as KeysHeader;
}

/** Checks an infer header against a mode's plan. */
export function checkInferHeader(h: WireHeader, mode: InferenceMode, channels: number, features: number, maxImages: number): InferHeader {
  const fn = 'POST /v1/sessions/{id}/infer';
  if (h.kind !== 'infer') refuse('WIRE_FORMAT', fn, 'an "infer" message', JSON.stringify(h.kind));
  if (h.mode !== mode) refuse('MODE_UNAVAILABLE', fn, `mode "${mode}" (the session's)`, JSON.stringify(h.mode));
  if (!isInt(h.images, 1, maxImages)) refuse('BAD_REQUEST', fn, `1..${maxImages} images`, String(h.images));
  if (h.channels !== channels) refuse('MISSING_CHANNEL', fn, `${channels} channels`, String(h.channels));
  if (h.perChannel !== features) refuse('BAD_REQUEST', fn, `${features} ciphertexts per channel`, String(h.perChannel));
  if (h.frames !== channels * features) refuse('WIRE_FORMAT', fn, `${channels * features} frames`, h.frames);
  return h as InferHeader;
}

/** Checks a logits header (client side) against the request it answers. */
export function checkLogitsHeader(h: WireHeader, mode: InferenceMode, images: number, channels: number, outputs: number): LogitsHeader {
  const fn = 'QheClient.infer';
  if (h.kind !== 'logits') refuse('PROTOCOL', fn, 'a "logits" message', JSON.stringify(h.kind));
  if (h.mode !== mode || h.images !== images || h.channels !== channels || h.perChannel !== outputs || h.frames !== channels * outputs)
    refuse('PROTOCOL', fn, `${mode} logits for ${images} images, ${channels} × ${outputs} ciphertexts`, `${String(h.mode)} for ${String(h.images)} images, ${String(h.channels)} × ${String(h.perChannel)}`);
  const t = h.timing as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object' || !['queueMs', 'receiveMs', 'deserializeMs', 'computeMs', 'floodMs', 'serializeMs', 'totalMs'].every((k) => typeof t[k] === 'number'))
    refuse('PROTOCOL', fn, 'server stage times', 'a header without them');
  return h as LogitsHeader;
}
