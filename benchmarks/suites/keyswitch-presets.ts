/**
 * `npm run bench:keyswitch`: the key-switching trade-off behind the presets
 * (params.ts). At a fixed security bound on log2(Q·P), each special prime taken
 * for P is a data prime lost from Q; in exchange α = keySwitchDigitSize data
 * primes per digit (D_d ≤ 4·P) cut the digits of relinearization and rotations
 * by α. For each candidate chain this suite measures, in one process:
 *
 * - time (tinybench p50, rounds alternated between the candidates of one N,
 *   median over rounds): relinearize (size 3 → 2), rotateRows by 1, multiply;
 * - noise budget (bits): fresh, after one multiply + relinearize of two fresh
 *   public-key ciphertexts, the depth of a chain x·y·y·… (relinearized) that
 *   still decrypts, and per level l of the chain the budget cost of one rotation
 *   of a fresh ciphertext switched down to l and of one relinearization of a
 *   fresh square switched down to l.
 *
 * Env: QHE_BENCH_N (default 4096,8192,16384), QHE_BENCH_ROUNDS (default 5),
 * QHE_BENCH_TIME_MS per task and round (default 300).
 */
import { Bench } from 'tinybench';
import { BatchEncoder, BfvContext, Ciphertext, Decryptor, Encryptor, Evaluator, KeyGenerator, type BfvParameterLiteral } from '@qhe/bfv';
import { median, medianMs, printTable, writeResults } from '../lib/report.js';

interface Candidate {
  readonly name: string;
  readonly literal: BfvParameterLiteral;
}

const T = { batchingBits: 20 } as const;
const chain = (n: number, data: number[], special: number[], alpha: number): Candidate => ({
  name: `N=${n} ${data.length}+${special.length} α=${alpha}`,
  literal: { polyDegree: n, coeffModulus: data, specialModulus: special, keySwitchDigitSize: alpha, plainModulus: T },
});
const fill = (k: number): number[] => Array<number>(k).fill(29);

const CANDIDATES: Record<number, Candidate[]> = {
  4096: [chain(4096, [28, 27, 27], [27], 1)],
  8192: [chain(8192, fill(6), fill(1), 1), chain(8192, fill(5), fill(2), 2), chain(8192, fill(4), fill(2), 2)],
  16384: [chain(16384, fill(14), fill(1), 1), chain(16384, fill(13), fill(2), 2), chain(16384, fill(12), fill(3), 3), chain(16384, fill(11), fill(4), 4)],
  32768: [chain(32768, fill(29), fill(1), 1), chain(32768, fill(28), fill(2), 2), chain(32768, fill(27), fill(3), 3), chain(32768, fill(26), fill(4), 4)],
};

const sizes = (process.env.QHE_BENCH_N ?? '4096,8192,16384').split(',').map(Number);
const rounds = Number(process.env.QHE_BENCH_ROUNDS ?? 5);
const timeMs = Number(process.env.QHE_BENCH_TIME_MS ?? 300);

function setup(c: Candidate) {
  const ctx = new BfvContext(c.literal);
  const start = performance.now();
  const kg = new KeyGenerator(ctx);
  const pk = kg.createPublicKey();
  const rk = kg.createRelinKeys();
  const gk = kg.createGaloisKeys({ steps: [1] });
  const keygenMs = performance.now() - start;
  const enc = new Encryptor(ctx, { publicKey: pk });
  const dec = new Decryptor(ctx, kg.secretKey);
  const encoder = new BatchEncoder(ctx);
  const ev = new Evaluator(ctx);
  const t = Number(ctx.t);
  const x = Array.from({ length: ctx.n }, (_, i) => (i * 7919 + 11) % t);
  const y = Array.from({ length: ctx.n }, (_, i) => (i * 104729 + 12) % t);
  const a = enc.encrypt(encoder.encode(x)), b = enc.encrypt(encoder.encode(y));
  return { c, ctx, rk, gk, enc, dec, encoder, ev, a, b, x, y, keygenMs };
}
type Setup = ReturnType<typeof setup>;

function budgets(s: Setup) {
  const { ctx, ev, dec, rk, gk, a, b } = s;
  const fresh = dec.invariantNoiseBudget(a);
  const afterMulRelin = dec.invariantNoiseBudget(ev.relinearize(ev.multiply(a, b), rk));
  let depth = 0;
  for (let ct = a; ; depth++) {
    ct = ev.relinearize(ev.multiply(ct, b), rk);
    if (dec.invariantNoiseBudget(ct) === 0) break;
  }
  const perLevel: { level: number; logQ: number; budget: number; rotateCost: number; relinInput: number; relinCost: number }[] = [];
  let ct = a;
  let sq = ev.square(a);
  for (let l = 0; l <= ctx.maxLevel; l++) {
    if (l > 0) {
      ct = ev.modSwitchToNext(ct);
      sq = ev.modSwitchToNext(sq);
    }
    const before = dec.invariantNoiseBudget(ct);
    const rotated = dec.invariantNoiseBudget(ev.rotateRows(ct, 1, gk));
    const sqBefore = dec.invariantNoiseBudget(sq);
    const relin = dec.invariantNoiseBudget(ev.relinearize(sq, rk));
    perLevel.push({ level: l, logQ: ctx.level(l).base.modulus.toString(2).length, budget: before, rotateCost: before - rotated, relinInput: sqBefore, relinCost: sqBefore - relin });
  }
  return { fresh, afterMulRelin, depth, perLevel };
}

async function timeRound(s: Setup, into: Map<string, number[]>): Promise<void> {
  const { ctx, ev, rk, gk, a, b } = s;
  const product = ev.multiply(a, b);
  const out2 = Ciphertext.empty(ctx, 0, 2), out3 = Ciphertext.empty(ctx, 0, 3);
  const bench = new Bench({ time: timeMs, iterations: 3, warmup: true });
  bench.add('relinearize', () => void ev.relinearizeInto(product, rk, out2));
  bench.add('rotateRows', () => void ev.rotateRowsInto(a, 1, gk, out2));
  bench.add('multiply', () => void ev.multiplyInto(a, b, out3));
  await bench.run();
  for (const task of bench.tasks) {
    const key = `${s.c.name}|${task.name}`;
    into.set(key, [...(into.get(key) ?? []), medianMs(task)]);
  }
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const levelRows: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const setups = (CANDIDATES[n] ?? []).map(setup);
    const times = new Map<string, number[]>();
    for (let r = 0; r < rounds; r++) for (const s of r % 2 ? [...setups].reverse() : setups) await timeRound(s, times);
    for (const s of setups) {
      const bud = budgets(s);
      const ms = (op: string): number => median(times.get(`${s.c.name}|${op}`)!);
      const spread = (op: string): string => {
        const xs = times.get(`${s.c.name}|${op}`)!;
        return `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
      };
      const p = s.ctx.params;
      rows.push({
        candidate: s.c.name,
        logQ: p.logQ,
        logQP: p.logQP,
        levels: p.maxLevel + 1,
        digits: s.ctx.level(0).digits.length,
        keygenMs: s.keygenMs,
        relinMs: ms('relinearize'),
        relinSpread: spread('relinearize'),
        rotateMs: ms('rotateRows'),
        rotateSpread: spread('rotateRows'),
        multiplyMs: ms('multiply'),
        fresh: bud.fresh,
        mulRelin: bud.afterMulRelin,
        depth: bud.depth,
        maxRotateCost: Math.max(...bud.perLevel.map((l) => l.rotateCost)),
        maxRelinCost: Math.max(...bud.perLevel.map((l) => l.relinCost)),
      });
      for (const l of bud.perLevel) levelRows.push({ candidate: s.c.name, ...l });
    }
  }
  printTable(rows);
  console.log('\nper level (budget of a fresh ciphertext switched down; cost of one rotation; relinearization of a fresh square switched down):');
  printTable(levelRows);
  console.log('\nwrote', writeResults('keyswitch-presets', { rounds, timeMs, rows, levels: levelRows }));
}

await main();
