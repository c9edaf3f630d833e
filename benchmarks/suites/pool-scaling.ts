/**
 * `pnpm bench:pool`: scaling of the worker pool (issue 4) at N = 8192, u32
 * kernel, PRESETS.n8192 (SEAL's data level, 6 + 1 primes) with t = node-seal's batching t (1032193).
 *
 * Workloads, each for 1, 2, … availableParallelism() workers:
 *   (a) 64 independent multiply + relinearize (`multiplyRelinearizeMany`);
 *   (b) one multiply: whole operation on one worker (workers = 1) vs split
 *       over limbs/polynomials (`limbParallel`, workers ≥ 2); the whole-op time
 *       at each pool size is also recorded as `wholeMs`;
 *   (c) CryptoNets' first linear layer: 845 outputs, each Σ of 25 scalar
 *       products over 841 inputs, the same `linearLayerPlan()` node-seal runs;
 *       outputs preallocated once on both sides (`linearManyInto`).
 * speedup = ms(1 worker) / ms(workers). node-seal 6.0.3 runs (a) and (c) at
 * equal cores (as many threads as our workers, independent instances splitting
 * the ciphertexts) and on one thread, alternated run by run with ours on all
 * workers (`peerRows`); ratio = ours(all workers) / node-seal, rows state
 * `peerThreads`. Every timing is the median of RUNS whole-workload runs (3 for
 * (c)); results are checked by decryption (ours) and `verify()` (node-seal) once.
 *
 * Env: QHE_BENCH_RUNS (default 5), QHE_BENCH_WORKLOADS (default a,b,c),
 * QHE_BENCH_PEER=0 skips node-seal. Short check: QHE_BENCH_RUNS=1 QHE_BENCH_WORKLOADS=a.
 */
import { availableParallelism, loadavg } from 'node:os';
import { BatchEncoder, BfvContext, Ciphertext, Decryptor, Encryptor, Evaluator, KeyGenerator, PRESETS, type RelinKeys } from '@qhe/bfv';
import { ParallelEvaluator, WorkerPool } from '@qhe/bfv/parallel';
import { linearLayerPlan, type LinearLayerPlan } from '../peers/seal.js';
import type { SealWorkloadThreadApi } from '../peers/seal-workload-thread.js';
import { SealThread, splitRange } from '../lib/seal-thread-client.js';
import { median, printTable, quartiles, writeResults } from '../lib/report.js';

const N = 8192;
const T = 1032193;
const RUNS = Number(process.env.QHE_BENCH_RUNS ?? 5);
const COUNT_A = 64;
const workloads = (process.env.QHE_BENCH_WORKLOADS ?? 'a,b,c').split(',').map((w) => w.trim());

async function timeMs(run: () => unknown | Promise<unknown>, runs = RUNS): Promise<number> {
  await run(); // warm-up (JIT, worker caches)
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

function slots(seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: N }, () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % T;
  });
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  // The machines are shared: record the load so a contaminated run can be recognised.
  const loadBefore = loadavg();
  const workerCounts = Array.from({ length: cores }, (_, i) => i + 1);
  const ctx = new BfvContext({ ...PRESETS.n8192, plainModulus: T });
  const kg = new KeyGenerator(ctx);
  const rk = kg.createRelinKeys();
  const enc = new Encryptor(ctx, { publicKey: kg.createPublicKey() });
  const dec = new Decryptor(ctx, kg.secretKey);
  const encoder = new BatchEncoder(ctx);
  const ev = new Evaluator(ctx);
  const encrypt = (seed: number): Ciphertext => enc.encrypt(encoder.encode(slots(seed)));
  const first = (ct: Ciphertext): bigint => encoder.decodeBigInt(dec.decrypt(ct))[0];

  console.log(`pool-scaling: N=${N}, t=${T}, cores=${cores}, runs=${RUNS}`);
  const xs = Array.from({ length: COUNT_A }, (_, i) => encrypt(1000 + 2 * i));
  const ys = Array.from({ length: COUNT_A }, (_, i) => encrypt(1001 + 2 * i));
  const plan = linearLayerPlan();
  const inputs = Array.from({ length: plan.inputs }, (_, i) => encrypt(5000 + i));

  const rows: Record<string, unknown>[] = [];
  const sequential: Record<string, number> = {};
  const wanted = (wl: string): boolean => workloads.includes(wl);
  // The synchronous Evaluator on the main thread, for reference.
  if (wanted('a')) sequential.a = await timeMs(() => xs.forEach((x, i) => ev.relinearize(ev.multiply(x, ys[i]), rk)), 3);
  if (wanted('b')) sequential.b = await timeMs(() => ev.multiply(xs[0], ys[0]));
  if (wanted('c')) sequential.c = await timeMs(() => {
    for (let o = 0; o < plan.outputs; o++) {
      const acc = ev.multiplyScalar(inputs[plan.index[o * plan.taps]], plan.weight[o * plan.taps]);
      for (let k = 1; k < plan.taps; k++) ev.multiplyScalarAddInto(inputs[plan.index[o * plan.taps + k]], plan.weight[o * plan.taps + k], acc);
    }
  }, 3);
  console.log('sequential (main thread) ms', sequential);

  const ours: Record<string, Record<number, number>> = { a: {}, b: {}, c: {} };
  const wholeB: Record<number, number> = {};
  for (const w of workerCounts) {
    const pool = new WorkerPool({ size: w });
    try {
      const pe = new ParallelEvaluator(ctx, pool, { limbParallel: false });
      const split = new ParallelEvaluator(ctx, pool, { limbParallel: true });
      // Correctness once per pool size.
      const a0 = await pe.multiplyRelinearizeMany(xs.slice(0, 2), ys.slice(0, 2), rk);
      const want = (BigInt(slots(1000)[0]) * BigInt(slots(1001)[0])) % BigInt(T);
      if (first(a0[0]) !== want) throw new Error(`workload a: wrong product with ${w} workers`);
      const bSplit = await split.multiply(xs[0], ys[0]);
      const bWant = ev.multiply(xs[0], ys[0]);
      if (bSplit.polys.some((p, k) => p.data.some((v, i) => v !== bWant.polys[k].data[i]))) throw new Error('workload b: limb-parallel multiply differs');

      const c0 = (await pe.linearMany(inputs, { taps: plan.taps, index: plan.index.subarray(0, plan.taps), weight: plan.weight.subarray(0, plan.taps) }))[0];
      const cWant = ev.multiplyScalar(inputs[plan.index[0]], plan.weight[0]);
      for (let k = 1; k < plan.taps; k++) ev.multiplyScalarAddInto(inputs[plan.index[k]], plan.weight[k], cWant);
      if (c0.polys.some((p, k) => p.data.some((v, i) => v !== cWant.polys[k].data[i]))) throw new Error('workload c: linear layer output differs');

      if (wanted('a')) ours.a[w] = await timeMs(() => pe.multiplyRelinearizeMany(xs, ys, rk));
      if (wanted('b')) {
        wholeB[w] = await timeMs(() => pe.multiply(xs[0], ys[0]));
        ours.b[w] = w === 1 ? wholeB[w] : await timeMs(() => split.multiply(xs[0], ys[0]));
      }
      if (wanted('c')) {
        // Outputs allocated once and reused, as node-seal's workload C does.
        const outs = await pe.linearMany(inputs, plan);
        ours.c[w] = await timeMs(() => pe.linearManyInto(inputs, plan, outs), 3);
      }
      console.log(`workers=${w}: a ${ours.a[w]?.toFixed(0)} ms, b ${ours.b[w]?.toFixed(1)} ms (whole ${wholeB[w]?.toFixed(1)}), c ${ours.c[w]?.toFixed(0)} ms`);
    } finally {
      await pool.close();
    }
  }
  for (const wl of (['a', 'b', 'c'] as const).filter(wanted))
    for (const w of workerCounts)
      rows.push({
        workload: wl,
        n: N,
        workers: w,
        ms: ours[wl][w],
        speedup: ours[wl][1] / ours[wl][w],
        ...(wl === 'b' ? { mode: w === 1 ? 'whole' : 'limbParallel', wholeMs: wholeB[w] } : {}),
      });

  if (process.env.QHE_BENCH_PEER !== '0') rows.push(...(await peerRows({ ctx, rk, xs, ys, inputs, plan }, cores)));
  printTable(rows);
  const file = writeResults('pool-scaling', { runs: RUNS, loadavg: { before: loadBefore, after: loadavg() }, parameters: { n: N, t: T, preset: 'n8192', kernel: 'u32' }, sequentialMs: sequential, rows });
  console.log(`wrote ${file}`);
}

interface OursData { ctx: BfvContext; rk: RelinKeys; xs: Ciphertext[]; ys: Ciphertext[]; inputs: Ciphertext[]; plan: LinearLayerPlan }

/**
 * Workloads (a) and (c) side by side with node-seal at equal cores: ours on a
 * pool of `all` workers, node-seal on `all` threads (independent instances
 * splitting the ciphertexts: pairs of (a), bands of output positions of (c);
 * peers/seal-workload-thread.ts) and on one thread holding the whole workload.
 * The three alternate run by run (order reversed every round); ratio = median
 * over rounds of ours / node-seal, with its quartiles.
 */
async function peerRows(d: OursData, all: number): Promise<Record<string, unknown>[]> {
  const url = new URL('../peers/seal-workload-thread.js', import.meta.url);
  const single = await SealThread.start<SealWorkloadThreadApi>(url);
  const many = await SealThread.startMany<SealWorkloadThreadApi>(all, url);
  const pool = new WorkerPool({ size: all });
  const rows: Record<string, unknown>[] = [];
  try {
    const pe = new ParallelEvaluator(d.ctx, pool, { limbParallel: false });
    for (const wl of workloads.filter((w) => w !== 'b')) {
      let ours: () => Promise<unknown>;
      if (wl === 'a') {
        await single.api.setup({ workload: 'a', n: N, first: 0, count: COUNT_A });
        await Promise.all(splitRange(COUNT_A, all).map((r, i) => many[i].api.setup({ workload: 'a', n: N, first: r.from, count: r.to - r.from })));
        ours = () => pe.multiplyRelinearizeMany(d.xs, d.ys, d.rk);
      } else {
        await single.api.setup({ workload: 'c', n: N });
        await Promise.all(splitRange(d.plan.positions, all).map((positions, i) => many[i].api.setup({ workload: 'c', n: N, positions })));
        const outs = await pe.linearMany(d.inputs, d.plan);
        ours = () => pe.linearManyInto(d.inputs, d.plan, outs);
      }
      const sides: { name: string; run: () => Promise<unknown>; ms: number[] }[] = [
        { name: 'ours', run: ours, ms: [] },
        { name: 'many', run: () => Promise.all(many.map((t) => t.api.run())), ms: [] },
        { name: 'single', run: () => single.api.run(), ms: [] },
      ];
      for (const side of sides) await side.run(); // warm-up
      const rounds = wl === 'a' ? RUNS : Math.min(RUNS, 3);
      for (let r = 0; r < rounds; r++)
        for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
          const t0 = performance.now();
          await side.run();
          side.ms.push(performance.now() - t0);
        }
      const [o, m, s1] = sides;
      for (const [peerThreads, peer] of [[all, m], [1, s1]] as const) {
        const ratio = quartiles(o.ms.map((x, r) => x / peer.ms[r]));
        rows.push({ workload: wl, n: N, peer: 'node-seal', workers: all, peerThreads, rounds, oursMs: median(o.ms), peerMs: median(peer.ms), ratio: ratio.median, ratioQ1: ratio.q1, ratioQ3: ratio.q3 });
      }
      console.log(`workload ${wl}: ours ${median(o.ms).toFixed(0)} ms on ${all} workers, node-seal ${median(m.ms).toFixed(0)} ms on ${all} threads, ${median(s1.ms).toFixed(0)} ms on one`);
    }
  } finally {
    await pool.close();
    await single.close();
    await Promise.all(many.map((t) => t.close()));
  }
  return rows;
}

await main();
