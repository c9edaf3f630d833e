/**
 * `qhe run` (the default subcommand): the project's main job — encrypted MNIST
 * (or, with --dataset pneumonia, chest X-ray) inference (CryptoNets slot batching, Gilad-Bachrach et al. ICML 2016) with
 * parameters planned from the quantized model. A client encrypts the images,
 * a server that holds only public and relinearization keys evaluates the
 * integer network, the client decrypts and checks every image against the
 * exact integer forward pass.
 *
 * Memory: the job runs channel by channel (encrypt channel j, evaluate it,
 * keep its 10 output ciphertexts), so only one CRT channel's ciphertexts are
 * alive at a time; with a pool they are encrypted straight into shared storage
 * (no shared copy beside them), and the pool paces the collection of dropped
 * shared storage (`@qhe/bfv/parallel` collector.ts). The peak resident set of
 * the process (main thread and workers: getrusage's maxRSS) is reported.
 */
import { availableParallelism } from 'node:os';
import { QheError, type Ciphertext } from '@qhe/bfv';
import { WorkerPool } from '@qhe/bfv/parallel';
import { modelPathByRole } from '@qhe/quant/data';
import { argmax, binaryMetrics, forwardInteger, quantizeInput, type IntegerModel } from '@qhe/quant/model';
import { InferenceClient } from '../client.js';
import { assessPlan, formatPlan, planInference, type InferencePlan } from '../planner/index.js';
import { poolBackend } from '../pool-backend.js';
import { InferenceServer } from '../server.js';
import { defineCommand, type CliIo } from './command.js';
import { jsonFlag, kernelFlag, loadModel, modeFlag, modelFlag, modelPath, progressFlag, toJson } from './common.js';
import { DATASETS, DEFAULT_IMAGES, loadEvalImages, type DatasetName, type EvalImages } from './datasets.js';
import { choiceFlag, intFlag, type Flag } from './flags.js';
import { measureOpTimings, predictSeconds } from '../predict.js';
import { Progress } from './progress.js';
import { runSingleJob } from './single.js';

const cores = availableParallelism();

/** --images: its default depends on --mode (a batch is N images; single mode classifies one at a time). */
const imagesForMode: Flag<number | undefined> = {
  ...intFlag({ help: 'images to classify (batch: one batch holds N of them, one per slot; single: one at a time)', default: 1, min: 1, max: 10000 }),
  defaultValue: undefined,
  defaultLabel: 'batch: 8192 MNIST / all 524 chest X-rays; single: 1',
};

/** What the job tells a user whose image count does not fill the slots. */
export function slotNote(plan: InferencePlan, images: number): string | null {
  const n = plan.polyDegree;
  const batches = Math.ceil(images / n);
  const used = images - (batches - 1) * n;
  if (used === n) return null;
  return `note: one batch always costs N = ${n} slots: ${images} image(s) take ${batches} batch(es), as long as ${batches * n} would `
    + `(${n - used} slot(s) of the last batch are empty); pass --images ${batches * n} to fill them, `
    + 'or --mode single to classify a few images one at a time (seconds each).';
}

/** The committed chest X-ray model: the manifest's `xray-default` entry. */
function xrayDefaultModel(): string {
  const p = modelPathByRole('xray-default');
  if (p === null) throw new QheError('INVALID_ARGUMENT', 'qhe run --dataset pneumonia: expected an xray-default model in packages/quant/models/manifest.json, got none (pass --model PATH)');
  return p;
}

const secs = (ms: number): string => (ms / 1000).toFixed(2);
const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(2);

export const runCommand = defineCommand({
  name: 'run',
  summary: 'encrypted inference (MNIST, or chest X-rays with --dataset pneumonia): the client encrypts, the server evaluates, the client decrypts and checks every image',
  flags: {
    dataset: choiceFlag({ help: 'images: MNIST test digits, or the PneumoniaMNIST validation chest X-rays (MedMNIST v2; Kermany et al. 2018; CC BY 4.0)', choices: DATASETS, default: 'mnist' }),
    model: { ...modelFlag, defaultLabel: 'the manifest\'s default (MNIST) or its xray-default model (pneumonia)' },
    mode: modeFlag,
    images: imagesForMode,
    workers: intFlag({ help: 'worker threads (1 = everything on the main thread)', default: cores, min: 1, max: 256, defaultLabel: `all cores (${cores})` }),
    kernel: kernelFlag,
    json: jsonFlag,
    progress: progressFlag,
  },
  notes: 'batch (default): one batch holds N images (one per slot) and costs the same whatever the image count; a model whose integers need several plaintext primes runs one CRT channel after the other. '
    + 'single: each image alone in packed ciphertexts (LoLa-style layouts, rotations with hoisting), seconds instead of minutes for one image; the CRT channels run on the workers together.',
  async run(flags, _positional, io) {
    const f = { ...flags, images: flags.images ?? (flags.mode === 'single' ? 1 : DEFAULT_IMAGES[flags.dataset]) };
    const path = f.model === undefined && f.dataset === 'pneumonia' ? xrayDefaultModel() : modelPath(io, f.model);
    const model = loadModel('qhe run', path);
    const data = await loadEvalImages(f.dataset, f.images);
    if (model.input.shape.some((d, k) => d !== data.shape[k]))
      throw new QheError('INVALID_ARGUMENT', `qhe run --model: expected a model with a ${data.shape.join('×')} input (--dataset ${f.dataset}), got [${model.input.shape.join(',')}]`);
    const log = f.json ? (): void => {} : (s: string): void => io.out(s);
    const progress = new Progress(io.err, { mode: f.progress });
    if (f.mode === 'single') {
      try {
        return await runSingleJob(io, f, path, model, data, progress);
      } finally {
        progress.close();
      }
    }
    const plan = planInference(model, { images: f.images, kernel: f.kernel });
    const assessment = assessPlan(plan, model);
    log(formatPlan(plan));
    for (const w of assessment.warnings) io.err.write(`warning: ${w}\n`);
    // What the plan's operation counts predict on this machine (one core), to set beside the measured time.
    const predictedMs = predictSeconds(plan, model, measureOpTimings(plan), f.images) * 1000;
    log(`  predicted: ${(predictedMs / 1000).toFixed(1)} s on one core (op timings measured at these parameters)`);
    const note = slotNote(plan, f.images);
    if (note) log(note);
    try {
      return await job({ io, flags: f, data, modelPath: path, model, plan, progress, log, note, warnings: assessment.warnings, predictedMs });
    } finally {
      progress.close();
    }
  },
});

interface Job {
  readonly io: CliIo;
  readonly flags: { readonly images: number; readonly workers: number; readonly json: boolean; readonly dataset: DatasetName };
  readonly data: EvalImages;
  readonly modelPath: string;
  readonly model: IntegerModel;
  readonly plan: InferencePlan;
  readonly progress: Progress;
  /** Human report lines (nothing with --json). */
  readonly log: (s: string) => void;
  readonly note: string | null;
  readonly warnings: readonly string[];
  /** The planner's predicted time on one core (ms). */
  readonly predictedMs: number;
}

async function job({ io, flags: f, data, modelPath, model, plan, progress, log, note, warnings, predictedMs }: Job): Promise<number> {
  const count = data.count;
  const px = data.shape[0] * data.shape[1] * data.shape[2];
  const xs = Array.from({ length: count }, (_, s) => quantizeInput(model.input, data.images.subarray(s * px, (s + 1) * px)));
  let t0 = performance.now();
  const expected = xs.map((x) => forwardInteger(model, x));
  const plainMs = performance.now() - t0;
  // One pool shared by the CRT channels; --workers 1 keeps everything on the main thread.
  const pool = f.workers > 1 ? new WorkerPool({ size: f.workers }) : null;
  try {
    t0 = performance.now();
    const client = new InferenceClient(plan);
    const keys = client.serverKeys();
    const keygenMs = performance.now() - t0;
    const server = new InferenceServer(plan, model, keys, pool ? poolBackend(pool) : undefined);
    const n = plan.polyDegree, k = plan.plainModuli.length;
    const batches = Math.ceil(count / n);
    log(`\n${count} ${data.description}, N = ${n} slots → ${batches} batch(es) × ${k} CRT channel(s); backend: ${server.backendName}`);
    const layerMs = plan.layers.map(() => 0);
    const measured: (number | null)[] = plan.layers.map(() => null);
    let encryptMs = 0, decryptMs = 0;
    const got: bigint[][] = [];
    for (let b = 0; b < batches; b++) {
      const batch = xs.slice(b * n, (b + 1) * n);
      const outputs: Ciphertext[][] = [];
      for (let j = 0; j < k; j++) {
        const where = `${batches > 1 ? `batch ${b + 1}/${batches} · ` : ''}channel ${j + 1}/${k}`;
        t0 = performance.now();
        const enc = progress.task(`${where} · encrypt`, batch[0].length);
        const inputs = client.encryptChannel(batch, j, (d) => enc.tick(d), { shared: pool !== null });
        enc.end();
        encryptMs += performance.now() - t0;
        let task: ReturnType<Progress['task']> | null = null;
        outputs.push(await server.runChannel(j, inputs, {
          onLayerStart: (i, type, work) => { task = work ? progress.task(`${where} · layer ${i} ${type}`, work) : null; },
          onProgress: (_i, done) => task?.tick(done),
          onLayer: (r) => {
            task?.end();
            layerMs[r.index] += r.ms;
            if (r.type !== 'flatten') {
              const m = client.noiseBudget(j, r.sample);
              measured[r.index] = measured[r.index] === null ? m : Math.min(measured[r.index]!, m);
            }
          },
        }));
      }
      t0 = performance.now();
      got.push(...client.decrypt({ images: batch.length, channels: outputs }));
      decryptMs += performance.now() - t0;
    }
    let exact = 0, encCorrect = 0, intCorrect = 0;
    for (let s = 0; s < count; s++) {
      if (got[s].length === expected[s].length && got[s].every((v, i) => v === expected[s][i])) exact++;
      if (argmax(got[s]) === data.labels[s]) encCorrect++;
      if (argmax(expected[s]) === data.labels[s]) intCorrect++;
    }
    const serverMs = layerMs.reduce((a, v) => a + v, 0);
    const totalMs = keygenMs + encryptMs + serverMs + decryptMs;
    const meta = model.metadata as { floatAccuracy?: unknown; float?: { accuracy?: unknown } };
    const floatAcc = typeof meta.floatAccuracy === 'number' ? meta.floatAccuracy : typeof meta.float?.accuracy === 'number' ? meta.float.accuracy : null;
    const floatNote = f.dataset === 'mnist' ? 'float accuracy from the model metadata (10,000 test images)' : `float accuracy from the model metadata (${data.available} validation images)`;
    // Binary tasks: ROC AUC and F1 of the decrypted logits (score = logit₁ − logit₀), as the medical papers report.
    const binary = data.classes === 2 ? binaryMetrics(got.map((l) => l[1] - l[0]), data.labels) : null;
    // maxRSS is in kilobytes (getrusage).
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    const report = {
      model: model.name, modelPath, dataset: f.dataset, data: data.credit, images: count, slots: n, batches, workers: f.workers, backend: server.backendName,
      plan: {
        n, logQ: plan.logQ, logQP: plan.logQP, coeffModulus: plan.coeffModulus.map(String), specialModulus: plan.specialModulus.map(String),
        plainModuli: plan.plainModuli.map(String), tCount: k, predictedFinalBudget: plan.predictedFinalBudget,
      },
      warnings, note,
      accuracy: { encrypted: encCorrect / count, integer: intCorrect / count, float: floatAcc, floatNote },
      ...(binary ? { auc: binary.auc, f1: binary.f1, sensitivity: binary.sensitivity, specificity: binary.specificity } : {}),
      predictedMsOneCore: predictedMs,
      bitExact: exact,
      layers: plan.layers.map((l) => ({ index: l.index, type: l.type, level: l.level, ms: layerMs[l.index], predictedBudget: l.predictedBudget, measuredBudget: measured[l.index] })),
      ms: { keygen: keygenMs, encrypt: encryptMs, server: serverMs, decrypt: decryptMs, total: totalMs, plaintextIntegerForward: plainMs },
      msPerImage: totalMs / count,
      serverMsPerImage: serverMs / count,
      finalBudget: measured[measured.length - 1],
      memory: { peakRssBytes },
    };
    if (f.json) io.out(toJson(report));
    else {
      const lines = ['', 'layer            time (s)  level  predicted budget  measured'];
      for (const l of report.layers) {
        lines.push(`  ${String(l.index).padStart(2)} ${l.type.padEnd(10)} ${secs(l.ms).padStart(9)}  ${String(l.level).padStart(5)}  ${l.predictedBudget.toFixed(1).padStart(16)}  ${String(l.measuredBudget ?? '—').padStart(8)}`);
      }
      lines.push(
        '',
        `keygen ${secs(keygenMs)} s, encrypt ${secs(encryptMs)} s, server ${secs(serverMs)} s, decrypt ${secs(decryptMs)} s; total ${secs(totalMs)} s`,
        `amortized: ${(totalMs / count).toFixed(2)} ms/image (server ${(serverMs / count).toFixed(2)} ms/image)`,
        `predicted ${secs(predictedMs)} s on one core; measured ${secs(totalMs)} s with ${f.workers} worker(s)`,
        `accuracy: encrypted ${(100 * encCorrect / count).toFixed(2)} %, integer plaintext ${(100 * intCorrect / count).toFixed(2)} %, float ${floatAcc === null ? '—' : `${(100 * floatAcc).toFixed(2)} % (training report, ${f.dataset === 'mnist' ? '10k test' : `${data.available} validation`} images)`}`,
        ...(binary ? [`encrypted ROC AUC ${binary.auc.toFixed(4)}, F1 ${binary.f1.toFixed(4)} (sensitivity ${(100 * binary.sensitivity).toFixed(1)} %, specificity ${(100 * binary.specificity).toFixed(1)} %)`] : []),
        `data: ${data.credit}`,
        `bit-exact logits: ${exact}/${count} images equal the integer model`,
        `noise budget left: ${report.finalBudget} bits (predicted ${plan.predictedFinalBudget.toFixed(1)})`,
        `peak memory (RSS): ${gib(peakRssBytes)} GiB`,
      );
      if (note) lines.push(note);
      log(lines.join('\n'));
    }
    return exact === count ? 0 : 1;
  } finally {
    await pool?.close();
  }
}
