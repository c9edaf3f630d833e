/**
 * The worker side of `SealThread` (seal-thread-client.ts): answers
 * `{ id, method, args }` with `{ id, value }` or `{ id, error }`, after a
 * `{ id: 0, value: 'ready' }` once the thread has set itself up.
 */
import type { MessagePort } from 'node:worker_threads';

export function serveThread(port: MessagePort, api: Record<string, (...args: never[]) => unknown>): void {
  port.on('message', async (m: { id: number; method: string; args: unknown[] }) => {
    try {
      const value = await (api[m.method] as (...a: unknown[]) => unknown)(...m.args);
      port.postMessage({ id: m.id, value });
    } catch (e) {
      port.postMessage({ id: m.id, error: (e as Error).stack ?? String(e) });
    }
  });
  port.postMessage({ id: 0, value: 'ready' });
}
