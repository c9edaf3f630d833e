/**
 * `qhe classify --server <url> <image files…>`: the hospital's command line.
 * Decodes the images (service/images.ts), connects a QheClient (model card,
 * plan, local keys), uploads the evaluation keys once, encrypts, sends,
 * decrypts and prints one line per image — predicted class and logits — then
 * the stage times and bytes (HomomorphicEncryption.org ml-inference harness
 * stages). `--json` prints one JSON report instead. Progress on stderr
 * (`--progress`) for the stages that take more than a second.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { QheClient, type ClientStage } from '../service/client.js';
import { ServiceError } from '../service/errors.js';
import { decodeImages } from '../service/images.js';
import { nodeFetch } from '../service/node-fetch.js';
import { userPath, defineCommand } from './command.js';
import { jsonFlag, progressFlag } from './common.js';
import { choiceFlag, intFlag, optionalFlag, stringFlag } from './flags.js';
import { Progress, type ProgressTask } from './progress.js';

export const classifyCommand = defineCommand({
  name: 'classify',
  summary: 'classify image files on a qhe server: keys, encryption and decryption stay here',
  positional: { usage: '<image files: PNG, PGM, MNIST idx, MedMNIST .npz…>', min: 1, max: 100000 },
  flags: {
    server: stringFlag({ help: 'the server, e.g. http://127.0.0.1:8080', placeholder: 'URL', defaultLabel: 'required' }),
    mode: optionalFlag(choiceFlag({ help: 'inference mode', choices: ['batch', 'single'], default: 'batch' }), "the server's first mode"),
    limit: optionalFlag(intFlag({ help: 'classify at most N images of each dataset file (idx, .npz)', default: 0, min: 1, max: 10_000_000 }), 'all'),
    json: jsonFlag,
    progress: progressFlag,
  },
  async run(f, positional, io) {
    if (f.server === undefined) throw new ServiceError('BAD_REQUEST', 'qhe classify --server: expected a server URL (e.g. http://127.0.0.1:8080), got nothing');
    const files = positional.map((p) => userPath(io, p));
    return runClassify({ server: f.server, files, mode: f.mode, json: f.json, limit: f.limit ?? Infinity }, io.out, stageProgress(new Progress(io.err, { mode: f.progress })));
  },
});

interface ClassifyCliOptions {
  readonly server: string;
  readonly files: readonly string[];
  readonly mode: 'batch' | 'single' | undefined;
  readonly json: boolean;
  readonly limit: number;
}

async function runClassify(o: ClassifyCliOptions, out: (line: string) => void, progress: StageProgress): Promise<number> {
  const client = await QheClient.connect(o.server, { mode: o.mode, onProgress: progress.update, fetch: nodeFetch });
  try {
    const shape = client.card.model.input.shape;
    const images = o.files.flatMap((path) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(path));
      } catch (e) {
        throw new ServiceError('BAD_REQUEST', `qhe classify: expected a readable image file, got ${JSON.stringify(path)} (${(e as Error).message})`);
      }
      const all = decodeImages(basename(path), bytes, shape, o.limit);
      return all.map((image, i) => ({ path: all.length > 1 ? `${path}#${i}` : path, image }));
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
        images: result.predictions.map((p, i) => ({ file: images[i].path, class: p.index, className: p.className, logits: p.logits.map(String), label: images[i].image.label ?? null, notes: images[i].image.notes })),
        timing,
        bytes,
        serverStages: result.server,
      }, null, 2));
    } else {
      result.predictions.forEach((p, i) => {
        const notes = images[i].image.notes.length ? `  (${images[i].image.notes.join('; ')})` : '';
        const label = images[i].image.label === undefined ? '' : ` (file label ${client.classNames[images[i].image.label!] ?? images[i].image.label})`;
        out(`${images[i].path}: class ${p.className} logits [${p.logits.join(', ')}]${label}${notes}`);
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


interface StageProgress {
  update(stage: ClientStage, done: number, total: number): void;
  end(): void;
}

/** The client's stages as progress tasks, each shown once it has run for a second. */
function stageProgress(progress: Progress): StageProgress {
  let stage: ClientStage | null = null;
  let task: ProgressTask | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = { done: 0, total: 1 };
  const finish = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    task?.end();
    task = null;
  };
  return {
    update(s, done, total) {
      last = { done, total };
      if (s !== stage) {
        finish();
        stage = s;
        timer = setTimeout(() => {
          task = progress.task(s, last.total);
          task.tick(last.done);
        }, 1000);
        timer.unref?.();
      }
      task?.tick(done);
      if (done === total && total > 0 && s !== 'request' && s !== 'upload-keys') finish();
    },
    end() {
      finish();
      progress.close();
    },
  };
}
