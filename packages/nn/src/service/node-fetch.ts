/**
 * A `fetch` over node:http for Node clients (`qhe classify`, bench:serve).
 *
 * Why: Node's built-in fetch (undici) gives up on a response whose headers take
 * longer than 300 s (headersTimeout), and the server answers an inference
 * request only when the whole batch is computed — minutes for the CryptoNets
 * models on a few cores. node:http has no such timeout. Bodies stream both
 * ways; the returned Response is the standard one. Node only (never in the
 * browser bundle: QheClient takes it through `QheClientOptions.fetch`).
 */
import { request } from 'node:http';
import { request as requestTls } from 'node:https';
import { Readable } from 'node:stream';

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export const nodeFetch: typeof fetch = (input, init = {}) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => (headers[k] = v));
  return new Promise<Response>((resolve, reject) => {
    const send = url.protocol === 'https:' ? requestTls : request;
    const req = send(url, { method: init.method ?? 'GET', headers }, (res) => {
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) for (const x of Array.isArray(v) ? v : [v]) h.append(k, x);
      const status = res.statusCode ?? 0;
      const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      if (!body) res.resume();
      resolve(new Response(body, { status, statusText: res.statusMessage, headers: h }));
    });
    req.setTimeout(0);
    req.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
    const body = init.body;
    if (body === undefined || body === null) req.end();
    else if (body instanceof ReadableStream) Readable.fromWeb(body as import('node:stream/web').ReadableStream).on('error', (e) => req.destroy(e)).pipe(req);
    else if (body instanceof Uint8Array || typeof body === 'string') req.end(body);
    else if (body instanceof Blob) void body.arrayBuffer().then((b) => req.end(new Uint8Array(b)), (e: unknown) => req.destroy(e as Error));
    else reject(new TypeError('nodeFetch: expected a body of ReadableStream, Uint8Array, string or Blob'));
  });
};
