/**
 * The browser client's Web Worker: key generation, encryption and decryption
 * run here, off the page's thread. One QheClient per page and mode: keys are
 * generated once, the evaluation keys uploaded once, and the session reused
 * for every later image. The secret key never leaves this worker.
 */
import { QheClient, type ClientStage } from '../../src/service/client.js';
import { checkModelCard, type InferenceMode } from '../../src/service/card.js';
import { decodeImages } from '../../src/service/images.js';
import type { FromWorker, ToWorker } from './protocol.js';

const scope = self as unknown as { postMessage(m: FromWorker): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (m: FromWorker): void => scope.postMessage(m);
const server = self.location.origin;
const clients = new Map<InferenceMode, Promise<QheClient>>();
let lastProgress = 0;

function progress(stage: ClientStage, done: number, total: number): void {
  const now = performance.now();
  if (done === 0 || done === total || now - lastProgress > 100) {
    lastProgress = now;
    post({ type: 'progress', stage, done, total });
  }
}

function getClient(mode: InferenceMode): Promise<QheClient> {
  let c = clients.get(mode);
  if (!c) clients.set(mode, (c = QheClient.connect(server, { mode, onProgress: progress })));
  return c;
}

void (async () => {
  try {
    const card = checkModelCard(await (await fetch(`${server}/v1/model`)).json());
    post({ type: 'card', card });
  } catch (e) {
    post({ type: 'error', code: (e as { code?: string }).code ?? 'NETWORK', message: (e as Error).message });
  }
})();

scope.onmessage = async (e) => {
  const m = e.data;
  if (m.type !== 'classify') return;
  try {
    const c = await getClient(m.mode);
    const shape = c.card.model.input.shape;
    const decoded = m.files.flatMap((f) => decodeImages(f.name, new Uint8Array(f.bytes), shape, 64));
    const r = await c.classify(decoded.map((d) => d.pixels));
    post({
      type: 'result',
      mode: c.mode,
      images: r.predictions.map((p, i) => ({ name: decoded[i].name, index: p.index, className: p.className, logits: p.logits.map(String), notes: decoded[i].notes })),
      timing: r.timing,
      bytes: r.bytes,
      server: r.server,
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'NETWORK') clients.delete(m.mode);
    post({ type: 'error', code: (err as { code?: string }).code ?? 'INTERNAL', message: (err as Error).message ?? String(err) });
  }
};
