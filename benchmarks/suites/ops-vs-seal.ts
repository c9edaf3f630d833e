/**
 * `pnpm bench:ops`: single BFV operations, one thread, qhe vs node-seal 6.0.3 in
 * the same tinybench run. SEAL: CoeffModulus.BFVDefault(N), PlainModulus.Batching(N, 20).
 * Ours: the same N and the same t, total log2(Q·P) (special primes included) ≤
 * SEAL's, 128-bit security by the same HE-standard table. Both sides write into
 * preallocated outputs (`…Into`). Rows hold medians; ratio = ours / node-seal.
 * node-seal runs in a worker thread of its own (peers/seal-thread.ts: in the
 * same isolate its wasm memory growth slows every typed-array loop of ours).
 * Also the noise budget after one multiply + relinearize of two fresh
 * public-key ciphertexts, in bits, for both.
 */
import { Bench } from 'tinybench';
import {
  BatchEncoder,
  BfvContext,
  Ciphertext,
  Decryptor,
  Encryptor,
  Evaluator,
  KeyGenerator,
  type BfvParameterLiteral,
  type KernelName,
} from '@qhe/bfv';
import { bfvOpNames, type BfvOpName } from '../peers/seal.js';
import { SealThread } from '../lib/seal-thread-client.js';
import { medianMs, printTable, writeResults } from '../lib/report.js';

/** Our parameters for each N: data primes as SEAL's data level in bits, one special prime. */
function ourParameters(n: number, t: number, kernel: KernelName): BfvParameterLiteral {
  const shape: Record<number, { coeffModulus: number[]; specialModulus: number[] }> = {
    4096: { coeffModulus: [28, 27, 27], specialModulus: [27] },
    8192: { coeffModulus: [29, 29, 29, 29, 29, 29], specialModulus: [29] },
  };
  const s = shape[n];
  if (!s) throw new Error(`no parameter shape for N=${n}`);
  return kernel === 'u32'
    ? { polyDegree: n, ...s, plainModulus: t, kernel }
    : // u64 can hold SEAL's own prime sizes: fewer, larger limbs.
      { polyDegree: n, coeffModulus: n === 4096 ? [36, 36] : [43, 43, 44, 44], specialModulus: n === 4096 ? [37] : [44], plainModulus: t, kernel };
}

function ourOps(n: number, t: number, kernel: KernelName) {
  const ctx = new BfvContext(ourParameters(n, t, kernel));
  const kg = new KeyGenerator(ctx);
  const pk = kg.createPublicKey();
  const rk = kg.createRelinKeys();
  const gk = kg.createGaloisKeys({ steps: [1] });
  const enc = new Encryptor(ctx, { publicKey: pk });
  const dec = new Decryptor(ctx, kg.secretKey);
  const encoder = new BatchEncoder(ctx);
  const ev = new Evaluator(ctx);
  const x = Array.from({ length: n }, (_, i) => (i * 7919 + 11) % t);
  const y = Array.from({ length: n }, (_, i) => (i * 104729 + 12) % t);
  const ptX = encoder.encode(x), ptY = encoder.encode(y);
  const a = enc.encrypt(ptX), b = enc.encrypt(ptY);
  const product3 = ev.multiply(a, b);
  const relinOnce = ev.relinearize(product3, rk);
  const out = () => Ciphertext.empty(ctx, 0, 3);
  const o = { add: out(), multiplyPlain: out(), multiply: out(), relinearize: out(), rotateRows: out(), square: out(), modSwitchToNext: out() };
  const ops: Record<BfvOpName, () => void> = {
    encode: () => void encoder.encode(x),
    encrypt: () => void enc.encrypt(ptX),
    decrypt: () => void dec.decrypt(a),
    add: () => void ev.addInto(a, b, o.add),
    multiplyPlain: () => void ev.multiplyPlainInto(a, ptY, o.multiplyPlain),
    multiply: () => void ev.multiplyInto(a, b, o.multiply),
    relinearize: () => void ev.relinearizeInto(product3, rk, o.relinearize),
    rotateRows: () => void ev.rotateRowsInto(a, 1, gk, o.rotateRows),
    square: () => void ev.squareInto(a, o.square),
    modSwitchToNext: () => void ev.modSwitchToNextInto(a, o.modSwitchToNext),
  };
  // Correctness before timing: the product decrypts to the slotwise product.
  const got = encoder.decode(dec.decrypt(relinOnce));
  for (let i = 0; i < n; i++)
    if (got[i] !== Number((BigInt(x[i]) * BigInt(y[i])) % BigInt(t))) throw new Error(`qhe ${kernel} N=${n}: wrong product at slot ${i}`);
  return { ops, budgetAfterMulRelin: dec.invariantNoiseBudget(relinOnce), freshBudget: dec.invariantNoiseBudget(a), logQP: ctx.params.logQP };
}

const sizes = (process.env.QHE_BENCH_N ?? '4096,8192').split(',').map(Number);
const kernels = (process.env.QHE_BENCH_KERNELS ?? 'u32,u64').split(',') as KernelName[];
const timeMs = Number(process.env.QHE_BENCH_TIME_MS ?? 400);

async function oursMedian(fn: () => void, kernel: KernelName): Promise<number> {
  const bench = new Bench(benchOptions(kernel));
  bench.add('ours', fn);
  await bench.run();
  return medianMs(bench.tasks[0]);
}
const benchOptions = (kernel: KernelName) => ({ time: kernel === 'u64' ? 100 : timeMs, iterations: kernel === 'u64' ? 3 : 10, warmup: true });

async function main(): Promise<void> {
  // node-seal runs in its own isolate (peers/seal-thread.ts explains why); the
  // two sides alternate op by op, so machine noise hits both alike.
  const peer = await SealThread.start();
  const rows: Record<string, unknown>[] = [];
  try {
    for (const n of sizes) {
      const info = await peer.api.setupOps(n);
      for (const kernel of kernels) {
        const ours = ourOps(n, info.t, kernel);
        for (const name of bfvOpNames) {
          const peerMs = await peer.api.benchOp(name, benchOptions(kernel));
          const oursMs = await oursMedian(ours.ops[name], kernel);
          rows.push({ op: name, n, kernel, threads: 1, oursMs, peerMs, ratio: oursMs / peerMs });
        }
        rows.push({ op: 'budgetAfterMulRelin', n, kernel, ours: ours.budgetAfterMulRelin, peer: info.budgetAfterMulRelin });
        rows.push({ op: 'freshBudget', n, kernel, ours: ours.freshBudget, peer: info.freshBudget });
        rows.push({ op: 'logQP', n, kernel, ours: ours.logQP, peer: info.logQ });
      }
    }
  } finally {
    await peer.close();
  }
  printTable(rows);
  console.log('\nwrote', writeResults('ops-vs-seal', { rows }));
}

await main();
