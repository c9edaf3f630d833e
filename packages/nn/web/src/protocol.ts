/** Messages between the page (main.ts) and the Web Worker that runs the client (worker.ts). */
import type { ClientStage, ClientTiming } from '../../src/service/client.js';
import type { InferenceMode, ModelCard } from '../../src/service/card.js';
import type { ServerTiming } from '../../src/service/messages.js';

export type ToWorker = { readonly type: 'classify'; readonly mode: InferenceMode; readonly files: readonly { readonly name: string; readonly bytes: ArrayBuffer }[] };

export interface ImageResult {
  readonly name: string;
  readonly index: number;
  readonly className: string;
  /** Decimal strings (bigints do not cross postMessage in every browser's structured clone of JSON-like data). */
  readonly logits: readonly string[];
  readonly notes: readonly string[];
}

export type FromWorker =
  | { readonly type: 'card'; readonly card: ModelCard }
  | { readonly type: 'progress'; readonly stage: ClientStage; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly mode: InferenceMode; readonly images: readonly ImageResult[]; readonly timing: ClientTiming; readonly bytes: { readonly evaluationKeys: number; readonly upload: number; readonly download: number }; readonly server: readonly ServerTiming[] }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
