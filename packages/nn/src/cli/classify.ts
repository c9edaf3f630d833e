/**
 * `qhe classify --server <url> <image files…>`: the hospital's command line.
 * Decodes the images (service/images.ts), connects a QheClient (model card,
 * plan, local keys), uploads the evaluation keys once, encrypts, sends,
 * decrypts and prints one line per image — predicted class and logits — then
 * the stage times and bytes (HomomorphicEncryption.org ml-inference harness
 * stages). `--json` prints one JSON report instead. Progress on stderr for the
 * stages that take more than a second (on a terminal, or with QHE_PROGRESS=1).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { QheClient, type ClientStage } from '../service/client.js';
import { ServiceError } from '../service/errors.js';
import { decodeImage } from '../service/images.js';
import type { InferenceMode } from '../service/card.js';

export interface ClassifyCliOptions {
  readonly server: string;
  readonly files: readonly string[];
  readonly mode: InferenceMode | undefined;
  readonly json: boolean;
}

export async function runClassify(o: ClassifyCliOptions, out: (line: string) => void, err: { write(s: string): unknown; isTTY?: boolean }): Promise<number> {
  if (o.files.length === 0) throw new ServiceError('BAD_REQUEST', 'qhe classify: expected at least one image file, got none');
  const progress = progressPrinter(err);
  const client = await QheClient.connect(o.server, { mode: o.mode, onProgress: progress.update });
  try {
    const shape = client.card.model.input.shape;
    const images = o.files.map((path) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(path));
      } catch (e) {
        throw new ServiceError('BAD_REQUEST', `qhe classify: expected a readable image file, got ${JSON.stringify(path)} (${(e as Error).message})`);
      }
      return { path, image: decodeImage(basename(path), bytes, shape) };
    });
    const result = await client.classify(images.map((i) => i.image.pixels));
    progress.end();
    const { timing, bytes } = result;
    if (o.json) {
      out(JSON.stringify({
        server: o.server,
        model: client.card.model.name,
        mode: client.mode,
        flooding: client.card.flooding,
        images: result.predictions.map((p, i) => ({ file: images[i].path, class: p.index, className: p.className, logits: p.logits.map(String), notes: images[i].image.notes })),
        timing,
        bytes,
        serverStages: result.server,
      }, null, 2));
    } else {
      result.predictions.forEach((p, i) => {
        const notes = images[i].image.notes.length ? `  (${images[i].image.notes.join('; ')})` : '';
        out(`${images[i].path}: class ${p.className} logits [${p.logits.join(', ')}]${notes}`);
      });
      const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
      out(`stages: keygen ${s(timing.keygenMs)}, key upload ${s(timing.uploadKeysMs)}, encrypt ${s(timing.encryptMs)}, server ${s(timing.serverMs)} (request ${s(timing.requestMs)}, overhead ${s(timing.overheadMs)}), decrypt ${s(timing.decryptMs)}; total ${s(timing.totalMs)}`);
      out(`bytes: evaluation keys ${bytes.evaluationKeys}, upload ${bytes.upload}, download ${bytes.download}`);
      out(client.card.flooding.enabled ? `server flooding: λ = ${client.card.flooding.statisticalSecurity} bits` : 'server flooding: OFF (logit noise may reveal the model)');
    }
    return 0;
  } finally {
    progress.end();
    await client.close().catch(() => {});
  }
}

/** One status line on stderr, redrawn at most every 200 ms, shown once a stage has run for a second. */
function progressPrinter(err: { write(s: string): unknown; isTTY?: boolean }): { update: (stage: ClientStage, done: number, total: number) => void; end: () => void } {
  const on = !!err.isTTY || process.env.QHE_PROGRESS === '1';
  let stage = '';
  let since = 0;
  let last = 0;
  let drawn = false;
  return {
    update(s, done, total) {
      if (!on) return;
      const now = performance.now();
      if (s !== stage) {
        stage = s;
        since = now;
      }
      if (now - since < 1000 || now - last < 200) return;
      last = now;
      drawn = true;
      err.write(`${err.isTTY ? '\r' : ''}${stage} ${done}/${total} ${((now - since) / 1000).toFixed(1)} s${err.isTTY ? ' ' : '\n'}`);
    },
    end() {
      if (drawn && err.isTTY) err.write('\n');
      drawn = false;
    },
  };
}
