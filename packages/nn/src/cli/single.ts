/**
 * `qhe run --mode single`: encrypted MNIST inference one image at a time with
 * the packed plan of `planSingle` (LoLa-style layouts, rotations with
 * hoisting). Per image: the client encrypts it in the plan's input layout, the
 * server (evaluation keys only) runs the packed program on every CRT channel,
 * the client decrypts and compares the logits with the exact integer forward
 * pass. Reports per-layer time and noise budget, key sizes, and per-image
 * latency (keygen once; encrypt, server, decrypt per image).
 */
import { serializeRelinKeys, serializedGaloisKeysLength } from '@qhe/bfv';
import { WorkerPool } from '@qhe/bfv/parallel';
import { argmax, binaryMetrics, forwardInteger, quantizeInput, type IntegerModel } from '@qhe/quant/model';
import { SingleClient } from '../single/client.js';
import { formatSinglePlan } from '../single/format.js';
import { planSingle } from '../single/planner.js';
import { SingleServer, singlePoolBackend } from '../single/server.js';
import type { CliIo } from './command.js';
import { toJson } from './common.js';
import type { Progress } from './progress.js';

const secs = (ms: number): string => (ms / 1000).toFixed(2);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const median = (xs: readonly number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };

export interface SingleJobOptions {
  readonly images: number;
  readonly workers: number;
  readonly kernel: 'u32' | 'u64';
  readonly json: boolean;
}

export async function runSingleJob(
  io: CliIo, f: SingleJobOptions, modelPath: string, model: IntegerModel, data: { images: Uint8Array; labels: Uint8Array }, progress: Progress,
): Promise<number> {
  const log = f.json ? (): void => {} : (s: string): void => io.out(s);
  let t0 = performance.now();
  const plan = planSingle(model, { kernel: f.kernel, workers: f.workers });
  const planMs = performance.now() - t0;
  log(formatSinglePlan(plan));
  const count = data.labels.length;
  const xs = Array.from({ length: count }, (_, s) => quantizeInput(model.input, data.images.subarray(s * 784, (s + 1) * 784)));
  const pool = f.workers > 1 ? new WorkerPool({ size: f.workers }) : null;
  try {
    t0 = performance.now();
    const client = new SingleClient(plan);
    const keys = client.serverKeys();
    const keygenMs = performance.now() - t0;
    const galoisKeyBytes = keys.channels.reduce((s, c) => s + serializedGaloisKeysLength(c.galoisKeys), 0);
    const relinKeyBytes = keys.channels.reduce((s, c) => s + serializeRelinKeys(c.relinKeys).byteLength, 0);
    t0 = performance.now();
    const server = new SingleServer(plan, keys, pool ? singlePoolBackend(pool) : undefined);
    const prepareMs = performance.now() - t0;
    const k = plan.plainModuli.length;
    log(`\n${count} MNIST test image(s), one at a time; ${k} CRT channel(s); backend: ${server.backendName}`);
    log(`keys: Galois ${mib(galoisKeyBytes)} MiB (${plan.galoisElements.length} elements × ${k} channels), relinearization ${mib(relinKeyBytes)} MiB; keygen ${secs(keygenMs)} s; server setup (diagonals) ${secs(prepareMs)} s`);
    const layerMs: number[][] = plan.layers.map(() => []);
    const measured: (number | null)[] = plan.layers.map(() => null);
    const per = { encrypt: [] as number[], server: [] as number[], decrypt: [] as number[] };
    let exact = 0, encCorrect = 0, intCorrect = 0;
    const scores: bigint[] = []; // logit₁ − logit₀ of two-class models (ROC AUC, F1)
    const task = progress.task('images', count);
    for (let s = 0; s < count; s++) {
      t0 = performance.now();
      const enc = client.encrypt(xs[s]);
      per.encrypt.push(performance.now() - t0);
      t0 = performance.now();
      const out = await server.run(enc, {
        onLayer: (r) => {
          layerMs[r.index].push(r.ms);
          if (r.type !== 'flatten' && s === 0) measured[r.index] = Math.min(...r.samples.map((ct, j) => client.noiseBudget(j, ct)));
        },
      });
      // Budget probes (first image only) decrypt on the client inside onLayer: measured time excludes them from the later images.
      per.server.push(performance.now() - t0);
      t0 = performance.now();
      const logits = client.decrypt(out);
      per.decrypt.push(performance.now() - t0);
      const want = forwardInteger(model, xs[s]);
      if (logits.length === want.length && logits.every((v, i) => v === want[i])) exact++;
      if (argmax(logits) === data.labels[s]) encCorrect++;
      if (argmax(want) === data.labels[s]) intCorrect++;
      if (logits.length === 2) scores.push(logits[1] - logits[0]);
      task.tick(s + 1);
    }
    task.end();
    // The first image also probed budgets (client decryptions inside the timed run): report medians over the rest when there are any.
    const timed = (xs: number[]): number[] => (xs.length > 1 ? xs.slice(1) : xs);
    const layerMedian = layerMs.map((m) => median(timed(m)));
    const serverMs = median(timed(per.server)), encryptMs = median(per.encrypt), decryptMs = median(per.decrypt);
    const report = {
      mode: 'single', model: model.name, modelPath, images: count, workers: f.workers, backend: server.backendName,
      plan: {
        n: plan.polyDegree, logQ: plan.logQ, logQP: plan.logQP, coeffModulus: plan.coeffModulus.map(String), specialModulus: plan.specialModulus.map(String),
        plainModuli: plan.plainModuli.map(String), tCount: k, galoisSteps: plan.galoisSteps, galoisElements: plan.galoisElements, predictedFinalBudget: plan.predictedFinalBudget,
        input: plan.input.note, planMs,
      },
      keys: { galoisKeyBytes, relinKeyBytes, keygenMs, serverSetupMs: prepareMs },
      accuracy: { encrypted: encCorrect / count, integer: intCorrect / count, float: typeof model.metadata.floatAccuracy === 'number' ? model.metadata.floatAccuracy : null },
      bitExact: exact,
      ...(scores.length === count && count > 0 ? (({ auc, f1 }) => ({ auc, f1 }))(binaryMetrics(scores, data.labels)) : {}),
      layers: plan.layers.map((l) => ({ index: l.index, type: l.type, level: l.level, layout: l.layout, method: l.method, ms: layerMedian[l.index], predictedBudget: l.predictedBudget, measuredBudget: measured[l.index] })),
      msPerImage: { encrypt: encryptMs, server: serverMs, decrypt: decryptMs, total: encryptMs + serverMs + decryptMs, note: 'medians over the images (server: excluding the first, which also probes noise budgets)' },
      finalBudget: measured[measured.length - 1],
      memory: { peakRssBytes: process.resourceUsage().maxRSS * 1024 },
    };
    if (f.json) io.out(toJson(report));
    else {
      log('\n' + formatSinglePlan(plan, measured, layerMedian));
      log([
        '',
        `per image (median of ${count}): encrypt ${secs(encryptMs)} s, server ${secs(serverMs)} s, decrypt ${secs(decryptMs)} s; total ${secs(encryptMs + serverMs + decryptMs)} s (keygen once: ${secs(keygenMs)} s)`,
        `accuracy: encrypted ${(100 * encCorrect / count).toFixed(2)} %, integer plaintext ${(100 * intCorrect / count).toFixed(2)} %`,
        `bit-exact logits: ${exact}/${count} images equal the integer model`,
        `noise budget left: ${report.finalBudget} bits (predicted ${plan.predictedFinalBudget.toFixed(1)})`,
        `peak memory (RSS): ${(report.memory.peakRssBytes / 2 ** 30).toFixed(2)} GiB`,
      ].join('\n'));
    }
    return exact === count ? 0 : 1;
  } finally {
    await pool?.close();
  }
}
