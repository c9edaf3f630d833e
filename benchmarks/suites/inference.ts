/**
 * `pnpm bench:inference` → benchmarks/results/inference.json.
 *
 * (1) vs-node-seal: the CryptoNets network (Gilad-Bachrach et al. ICML 2016)
 *     on the first 8192 MNIST test images with the plan of `qhe plan`: ours on
 *     the worker pool (all cores) vs the same model, plan and slot batching on
 *     node-seal 6.0.3 (benchmarks/peers/seal-cryptonets.ts) at equal cores: as
 *     many worker threads as our workers, independent instances splitting the
 *     CRT channels (case vs-node-seal), and on one thread (vs-node-seal-1t);
 *     rows state `peerThreads`. Both sides are checked bit for bit against the exact
 *     integer forward pass. `ratio` compares the whole job (keys, encryption
 *     of every image, the network, decryption); `serverRatio` only the network.
 * (2) bits-8 / bits-low: Legiest et al. 2023 (seed 2) on our engine — the 8-bit
 *     model vs the lowest-bit model of the quant sweep; the time reduction is
 *     1 − low/8-bit on the whole job.
 *
 * Our side runs the `qhe` CLI (`--json`) in a child process, so it measures
 * exactly the main job. Env: QHE_BENCH_IMAGES (default 8192), QHE_BENCH_PEER=0
 * skips node-seal, QHE_BENCH_PEER_THREADS (default `<workers>,1`), QHE_BENCH_CASES
 * selects cases (a batch costs the same whatever its image count, so a short
 * check is QHE_BENCH_CASES=vs-node-seal QHE_BENCH_PEER_THREADS=2 QHE_BENCH_IMAGES=64),
 * QHE_BENCH_XRAY_ROLE the chest X-ray model, QHE_BENCH_XRAY_BATCH_REPORT /
 * _SINGLE_REPORT a `qhe --json` report file of the same command run in the
 * background (hours of work).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModelPath, modelPathByRole } from '@qhe/quant/data';
import { argmax, forwardInteger } from '@qhe/quant/model';
import { printTable, resultsDir, writeResults } from '../lib/report.js';
import type { SealCryptoNetsResult } from '../peers/seal-cryptonets.js';
import { cryptoNetsJob, type SealCryptoNetsThreadApi } from '../peers/seal-cryptonets-thread.js';
import { SealThread, splitRoundRobin } from '../lib/seal-thread-client.js';

// dist/suites/ → the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'packages', 'nn', 'dist', 'cli', 'qhe.js');
const images = Number(process.env.QHE_BENCH_IMAGES ?? 8192);
const workers = availableParallelism();
/** node-seal thread counts: equal cores first, then the one-thread row. */
const peerThreads = (process.env.QHE_BENCH_PEER_THREADS ?? [...new Set([workers, 1])].join(',')).split(',').map(Number);

interface Report {
  model: string; modelPath: string; images: number; workers: number;
  plan: { n: number; logQ: number; logQP: number; tCount: number };
  accuracy: { encrypted: number }; bitExact: number; finalBudget: number | null;
  ms: { total: number; server: number };
}

function run(model: string): Report {
  const args = [cli, '--json', '--images', String(images), '--workers', String(workers), '--model', model];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 })) as Report;
}

/** The committed models by their manifest roles (packages/quant/models/manifest.json): the default and the ≤4-bit one. */
function models(): { eight: string; low: string | null } {
  return { eight: defaultModelPath(), low: modelPathByRole('low-bits') };
}

/**
 * node-seal on the same model, plan and images on `threads` worker threads,
 * independent instances splitting the CRT channels round robin
 * (peers/seal-cryptonets-thread.ts); returns its row fields. The threads run at
 * once; each part of the job (keys, encryption, network, decryption) is timed
 * inside its thread and peerMs / peerServerMs are the slowest thread's.
 */
async function peer(modelPath: string, threads: number): Promise<Record<string, unknown>> {
  const { model, plan, xs, labels } = cryptoNetsJob(modelPath, images);
  const shares = splitRoundRobin(plan.plainModuli.map((_, j) => j), threads);
  const pool = await SealThread.startMany<SealCryptoNetsThreadApi>(shares.length, new URL('../peers/seal-cryptonets-thread.js', import.meta.url));
  let rs: SealCryptoNetsResult[];
  const t0 = performance.now();
  try {
    rs = await Promise.all(pool.map((th, i) => th.api.run(modelPath, images, shares[i])));
  } finally {
    await Promise.all(pool.map((th) => th.close()));
  }
  const wallMs = performance.now() - t0;
  // Recombine the channels (CRT) and compare with the exact integer forward pass.
  const order = shares.flat();
  const residues = rs.flatMap((r) => r.residues); // thread by thread, each in its share's order
  const ts = order.map((j) => plan.plainModuli[j]), M = ts.reduce((a, b) => a * b, 1n);
  const coeffs = ts.map((t) => { const Mj = M / t; return Mj * modPow(Mj % t, t - 2n, t); });
  let exact = 0, correct = 0;
  for (let s = 0; s < images; s++) {
    const logits = residues[0].map((_, o) => {
      let x = 0n;
      for (let j = 0; j < ts.length; j++) x += BigInt(residues[j][o][s]) * coeffs[j];
      x %= M;
      return x > M / 2n ? x - M : x;
    });
    const want = forwardInteger(model, xs[s]);
    if (want.every((v, k) => v === logits[k])) exact++;
    if (argmax(logits) === labels[s]) correct++;
  }
  const slowest = (k: keyof SealCryptoNetsResult['ms']): number => Math.max(...rs.map((r) => r.ms[k]));
  return {
    peerMs: slowest('total'), peerServerMs: slowest('server'), peerWallMs: wallMs, peerThreads: shares.length, peerLogQP: rs[0].logQP,
    peerAccuracy: correct / images, peerBitExact: exact, peerFinalBudget: Math.min(...rs.map((r) => r.finalBudget)),
    peerLayerMs: rs[0].layerMs.map((_, i) => Math.round(Math.max(...rs.map((r) => r.layerMs[i])))),
  };
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

const row = (kase: string, r: Report, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  case: kase, model: r.model, images: r.images, workers: r.workers, n: r.plan.n, logQ: r.plan.logQ, tCount: r.plan.tCount,
  oursMs: r.ms.total, oursServerMs: r.ms.server, accuracy: r.accuracy.encrypted, bitExact: r.bitExact, finalBudget: r.finalBudget, ...extra,
});

/**
 * (3) xray-batch: the committed chest X-ray model (`qhe --dataset pneumonia`,
 *     the manifest's xray-default model) on the 524 PneumoniaMNIST
 *     validation images (MedMNIST v2, Yang et al. 2023; Kermany et al. 2018;
 *     CC BY 4.0) in one slot-batched run, bit-exact check, accuracy and ROC AUC
 *     (QHE_BENCH_XRAY_ROLE picks another manifest role, e.g. xray-alexnet).
 */
/**
 * The `qhe --json` report of `args`, or — for runs of hours, done in the background
 * with the same command — the report file it wrote (QHE_BENCH_XRAY_*_REPORT).
 */
function cliReport<T>(args: string[], reportFile: string | undefined): T {
  const text = reportFile ? readFileSync(reportFile, 'utf8') : execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(text) as T;
}

interface XrayReport extends Report { auc?: number; f1?: number; predictedMsOneCore?: number }
function xrayBatch(): Record<string, unknown> {
  // QHE_BENCH_XRAY_ROLE=xray-alexnet: another committed chest X-ray model (manifest role).
  const role = process.env.QHE_BENCH_XRAY_ROLE;
  const model = role ? modelPathByRole(role) : null;
  if (role && !model) return { case: 'xray-batch', model: null, note: `no model with role "${role}" in packages/quant/models/manifest.json` };
  const args = [cli, '--json', '--dataset', 'pneumonia', '--workers', String(workers), ...(model ? ['--model', model] : [])];
  const r = cliReport<XrayReport>(args, process.env.QHE_BENCH_XRAY_BATCH_REPORT);
  return {
    case: 'xray-batch', model: r.model, images: r.images, workers: r.workers, n: r.plan.n, logQ: r.plan.logQ, tCount: r.plan.tCount,
    oursMs: r.ms.total, oursServerMs: r.ms.server, predictedMsOneCore: r.predictedMsOneCore, accuracy: r.accuracy.encrypted, auc: r.auc, f1: r.f1, bitExact: r.bitExact,
  };
}

/**
 * (4) xray-single: one chest X-ray at a time in packed ciphertexts (`qhe run
 *     --mode single`), the committed AlexNet-style model (role xray-alexnet, or
 *     QHE_BENCH_XRAY_ROLE, e.g. xray-default: the residual model);
 *     QHE_BENCH_XRAY_SINGLE images (default all 524). oursMs = median per image.
 */
interface SingleReport { model: string; images: number; plan: { n: number; logQ: number; tCount: number }; accuracy: { encrypted: number }; bitExact: number; auc?: number; f1?: number; msPerImage: { total: number } }
function xraySingle(): Record<string, unknown> {
  const role = process.env.QHE_BENCH_XRAY_ROLE ?? 'xray-alexnet';
  const model = modelPathByRole(role);
  if (!model) return { case: 'xray-single', model: null, note: `no model with role "${role}" in packages/quant/models/manifest.json` };
  const count = Number(process.env.QHE_BENCH_XRAY_SINGLE ?? 524);
  const args = [cli, 'run', '--mode', 'single', '--json', '--dataset', 'pneumonia', '--model', model, '--images', String(count), '--workers', String(workers)];
  const r = cliReport<SingleReport>(args, process.env.QHE_BENCH_XRAY_SINGLE_REPORT);
  return {
    case: 'xray-single', model: r.model, images: r.images, n: r.plan.n, logQ: r.plan.logQ, tCount: r.plan.tCount,
    oursMs: r.msPerImage.total, accuracy: r.accuracy.encrypted, auc: r.auc, f1: r.f1, bitExact: r.bitExact,
  };
}

// QHE_BENCH_CASES=xray-batch,… runs only the listed cases.
const only = process.env.QHE_BENCH_CASES?.split(',').map((c) => c.trim());
const want = (c: string): boolean => !only || only.includes(c);
const rows: Record<string, unknown>[] = [];
if (want('vs-node-seal') || want('bits-8') || want('bits-low')) {
  const { eight: eightPath, low: lowPath } = models();
  const eight = run(eightPath);
  if (process.env.QHE_BENCH_PEER !== '0' && want('vs-node-seal'))
    for (const threads of peerThreads) {
      const p = await peer(eightPath, threads);
      const kase = threads === workers ? 'vs-node-seal' : `vs-node-seal-${threads}t`;
      rows.push(row(kase, eight, { ...p, ratio: eight.ms.total / (p.peerMs as number), serverRatio: eight.ms.server / (p.peerServerMs as number) }));
    }
  rows.push(row('bits-8', eight));
  if (want('bits-low') && lowPath) {
    const r = run(lowPath);
    rows.push(row('bits-low', r, { timeReduction: 1 - r.ms.total / eight.ms.total, serverTimeReduction: 1 - r.ms.server / eight.ms.server }));
  } else if (want('bits-low')) rows.push({ case: 'bits-low', model: null, note: 'no model with role "low-bits" in packages/quant/models/manifest.json' });
}
if (want('xray-batch')) rows.push(xrayBatch());
if (want('xray-single')) rows.push(xraySingle());

printTable(rows.map(({ peerLayerMs: _, ...r }) => r));
// A partial run (QHE_BENCH_CASES) replaces its own cases and keeps the other rows of the results file.
const previous = only && existsSync(join(resultsDir, 'inference.json'))
  ? (JSON.parse(readFileSync(join(resultsDir, 'inference.json'), 'utf8')) as { rows?: Record<string, unknown>[] }).rows ?? [] : [];
const merged = [...previous.filter((r) => !rows.some((x) => x.case === r.case)), ...rows];
console.log(`wrote ${writeResults('inference', { images, rows: merged })}`);
