/**
 * `npm run bench:latency` → benchmarks/results/latency.json (+ latency.md).
 *
 * One MNIST test image at a time with the default model, all cores:
 * - ours-single: qhe's `single` mode (planSingle: packed layouts, hoisted
 *   rotations, leveled Galois keys) on the worker pool;
 * - node-seal-single: the same packed plan on node-seal 6.0.3
 *   (peers/seal-single.ts), one SEAL instance per worker thread, as many threads
 *   as our workers, the CRT channels split between them (equal cores);
 * - ours-batch-1: qhe's `batch` mode (CryptoNets slot batching) for one image:
 *   a batch costs the same whatever its image count, so one batch holding the
 *   100 images is timed and also gives accuracy/bit-exactness.
 * ours-single and node-seal-single alternate image by image (same process,
 * same moment), so their ratio is meaningful on a shared machine; times are
 * medians over the images (the first image, a warm-up, excluded), accuracy100 /
 * bitExact100 count every image against the labels and the exact integer
 * forward pass. keygenMs is key generation (client), encryptMs / decryptMs the
 * client's side per image, serverMs the server's evaluation per image.
 *
 * Env: QHE_BENCH_IMAGES (default 100), QHE_BENCH_PEER_IMAGES (default = images),
 * QHE_BENCH_WORKERS (default all cores), QHE_BENCH_BATCH=0 skips ours-batch-1,
 * QHE_BENCH_PEER=0 skips node-seal.
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { serializedGaloisKeysLength } from '@qhe/bfv';
import { WorkerPool } from '@qhe/bfv/parallel';
import { InferenceClient, InferenceServer, SingleClient, SingleServer, planInference, planSingle, poolBackend, singlePoolBackend, type SinglePlan } from '@qhe/nn';
import { defaultModelPath, loadMnist } from '@qhe/quant/data';
import { argmax, forwardInteger, parseIntegerModel, quantizeInput, type IntegerModel } from '@qhe/quant/model';
import { median, printTable, writeMarkdownTable, writeResults } from '../lib/report.js';
import { SealThread, splitRoundRobin } from '../lib/seal-thread-client.js';
import type { SealSingleImageResult, SealSingleThreadApi } from '../peers/seal-single-thread.js';

const images = Number(process.env.QHE_BENCH_IMAGES ?? 100);
const peerImages = Math.min(images, Number(process.env.QHE_BENCH_PEER_IMAGES ?? images));
const workers = Number(process.env.QHE_BENCH_WORKERS ?? availableParallelism());
const withPeer = process.env.QHE_BENCH_PEER !== '0';
const withBatch = process.env.QHE_BENCH_BATCH !== '0';

const bits = (q: bigint): number => q.toString(2).length;
const crt = (ts: readonly bigint[]) => {
  const M = ts.reduce((a, b) => a * b, 1n);
  const inv = (a: bigint, m: bigint): bigint => { let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n]; while (r1 !== 0n) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [s0, s1] = [s1, s0 - q * s1]; } return ((s0 % m) + m) % m; };
  const basis = ts.map((t) => (M / t) * inv((M / t) % t, t));
  return (residues: readonly (readonly (number | bigint)[])[]): bigint[] =>
    residues[0].map((_, o) => { let x = 0n; residues.forEach((r, j) => (x += BigInt(r[o]) * basis[j])); x %= M; return x > M / 2n ? x - M : x; });
};
/** Median over images after the first (warm-up), when there are more. */
const med = (xs: readonly number[]): number => median(xs.length > 1 ? xs.slice(1) : xs);

interface Tally { exact: number; correct: number; count: number }
const tally = (): Tally => ({ exact: 0, correct: 0, count: 0 });
function check(t: Tally, model: IntegerModel, x: ArrayLike<number>, logits: readonly bigint[], label: number): void {
  const want = forwardInteger(model, x);
  t.count++;
  if (logits.length === want.length && logits.every((v, i) => v === want[i])) t.exact++;
  if (argmax(logits) === label) t.correct++;
}

const modelPath = defaultModelPath();
const model = parseIntegerModel(readFileSync(modelPath, 'utf8'));
const { test } = loadMnist();
const xs = Array.from({ length: images }, (_, s) => quantizeInput(model.input, test.images.subarray(s * 784, (s + 1) * 784)));
const rows: Record<string, unknown>[] = [];
const pool = new WorkerPool({ size: workers });
const threads: SealThread<SealSingleThreadApi>[] = [];
try {
  // ---- ours-single and node-seal-single, image by image ----
  const plan: SinglePlan = planSingle(model, { workers });
  const k = plan.plainModuli.length;
  let t0 = performance.now();
  const client = new SingleClient(plan);
  const keys = client.serverKeys();
  const keygenMs = performance.now() - t0;
  const galoisKeyBytes = keys.channels.reduce((s, c) => s + serializedGaloisKeysLength(c.galoisKeys), 0);
  t0 = performance.now();
  const server = new SingleServer(plan, keys, singlePoolBackend(pool));
  const setupMs = performance.now() - t0;

  let peerInfo = { keygenMs: NaN, galoisSteps: NaN, galoisKeyBytes: NaN };
  const perThread = splitRoundRobin(plan.plainModuli, workers);
  if (withPeer) {
    threads.push(...(await SealThread.startMany<SealSingleThreadApi>(perThread.length, new URL('../peers/seal-single-thread.js', import.meta.url))));
    const coeffBits = [...plan.coeffModulus, ...plan.specialModulus].map(bits);
    const infos = await Promise.all(threads.map((th, i) => th.api.setup({ n: plan.polyDegree, coeffBits, plainModuli: perThread[i], program: plan.program, inputLevel: plan.inputLevel, inputSlots: plan.input.ciphertexts, outputSlots: plan.outputSlots })));
    peerInfo = { keygenMs: Math.max(...infos.map((x) => x.keygenMs)), galoisSteps: infos[0].galoisSteps, galoisKeyBytes: infos.reduce((s, x) => s + x.galoisKeyBytes, 0) };
  }
  const ours = { encrypt: [] as number[], server: [] as number[], decrypt: [] as number[], tally: tally() };
  const peer = { encrypt: [] as number[], server: [] as number[], decrypt: [] as number[], tally: tally(), ratio: [] as number[], budget: Infinity };
  // Channel order of the peer's residues: thread by thread.
  const peerOrder = perThread.flat();
  const peerCrt = crt(peerOrder);
  for (let s = 0; s < images; s++) {
    t0 = performance.now();
    const enc = client.encrypt(xs[s]);
    ours.encrypt.push(performance.now() - t0);
    t0 = performance.now();
    const out = await server.run(enc);
    ours.server.push(performance.now() - t0);
    t0 = performance.now();
    const logits = client.decrypt(out);
    ours.decrypt.push(performance.now() - t0);
    check(ours.tally, model, xs[s], logits, test.labels[s]);
    if (withPeer && s < peerImages) {
      const image = Int32Array.from(xs[s]);
      const rs: SealSingleImageResult[] = await Promise.all(threads.map((th) => th.api.runImage(image)));
      peer.encrypt.push(Math.max(...rs.map((r) => r.encryptMs)));
      peer.server.push(Math.max(...rs.map((r) => r.serverMs)));
      peer.decrypt.push(Math.max(...rs.map((r) => r.decryptMs)));
      peer.budget = Math.min(peer.budget, ...rs.map((r) => r.budget));
      peer.ratio.push(ours.server[s] / peer.server[s]);
      check(peer.tally, model, xs[s], peerCrt(rs.flatMap((r) => r.residues)), test.labels[s]);
    }
    if ((s + 1) % 10 === 0 || s === images - 1)
      console.error(`image ${s + 1}/${images}: ours server ${ours.server[s].toFixed(0)} ms${peer.server[s] !== undefined ? `, node-seal ${peer.server[s].toFixed(0)} ms` : ''}`);
  }
  const oursRow = {
    case: 'ours-single', model: model.name, workers, n: plan.polyDegree, tCount: k, galoisSteps: plan.galoisSteps.length, galoisKeyBytes,
    keygenMs, encryptMs: med(ours.encrypt), serverMs: med(ours.server), decryptMs: med(ours.decrypt),
    totalMs: med(ours.encrypt) + med(ours.server) + med(ours.decrypt),
    accuracy100: ours.tally.correct / ours.tally.count, bitExact100: ours.tally.exact,
    serverMsMin: Math.min(...ours.server), serverMsMax: Math.max(...ours.server), serverSetupMs: setupMs, images: ours.tally.count,
  };
  rows.push(oursRow);
  if (withPeer) {
    rows.push({
      case: 'node-seal-single', model: model.name, workers: threads.length, n: plan.polyDegree, tCount: k, galoisSteps: peerInfo.galoisSteps, galoisKeyBytes: peerInfo.galoisKeyBytes,
      keygenMs: peerInfo.keygenMs, encryptMs: med(peer.encrypt), serverMs: med(peer.server), decryptMs: med(peer.decrypt),
      totalMs: med(peer.encrypt) + med(peer.server) + med(peer.decrypt),
      accuracy100: peer.tally.correct / peer.tally.count, bitExact100: peer.tally.exact,
      serverMsMin: Math.min(...peer.server), serverMsMax: Math.max(...peer.server), images: peer.tally.count, finalBudget: peer.budget,
      serverRatio: median(peer.ratio.length > 1 ? peer.ratio.slice(1) : peer.ratio),
    });
  }

  // ---- ours-batch-1 ----
  if (withBatch) {
    const bplan = planInference(model, { images: 1 });
    t0 = performance.now();
    const bclient = new InferenceClient(bplan);
    const bkeys = bclient.serverKeys();
    const bkeygen = performance.now() - t0;
    const bserver = new InferenceServer(bplan, model, bkeys, poolBackend(pool));
    t0 = performance.now();
    const benc = bclient.encrypt(xs);
    const bencrypt = performance.now() - t0;
    t0 = performance.now();
    const bout = await bserver.run(benc);
    const bserverMs = performance.now() - t0;
    t0 = performance.now();
    const blogits = bclient.decrypt(bout);
    const bdecrypt = performance.now() - t0;
    const bt = tally();
    blogits.forEach((l, s) => check(bt, model, xs[s], l, test.labels[s]));
    rows.push({
      case: 'ours-batch-1', model: model.name, workers, n: bplan.polyDegree, tCount: bplan.plainModuli.length, galoisSteps: 0, galoisKeyBytes: 0,
      keygenMs: bkeygen, encryptMs: bencrypt, serverMs: bserverMs, decryptMs: bdecrypt, totalMs: bencrypt + bserverMs + bdecrypt,
      accuracy100: bt.correct / bt.count, bitExact100: bt.exact, images: bt.count,
    });
  }
} finally {
  for (const th of threads) await th.close();
  await pool.close();
}

const notes = [
  'ours-single and node-seal-single alternate image by image; ms are medians over the images after the first; serverRatio = median over images of ours/node-seal server time.',
  'node-seal-single: the same plan (N, primes sizes, CRT t_j, levels, layouts, diagonals); SEAL has no hoisting, so baby/giant steps are re-split to ≈ 2√k rotations and reductions use log2 rotate-and-add steps; its encrypt/decrypt are split over its threads (ours: the client on one thread).',
  'ours-batch-1: one CryptoNets batch (cost independent of the image count) holding the images; its time is the latency of one image in batch mode.',
  'galoisKeyBytes: ours = serialized leveled Galois keys (all channels); node-seal = keys at full level in 64-bit words (all channels, SEAL’s in-memory size).',
];
printTable(rows);
console.log(`wrote ${writeResults('latency', { images, peerImages, modelPath, rows, notes })}`);
console.log(`wrote ${writeMarkdownTable('latency', 'bench:latency — one MNIST image, default model, all cores', rows, notes)}`);
