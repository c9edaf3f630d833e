/**
 * `npm run bench:ops`: single BFV operations, one thread, qhe vs node-seal 6.0.3,
 * alternated op by op so that the noise of a shared machine hits both sides alike.
 *
 * Parameters. SEAL: CoeffModulus.BFVDefault(N), PlainModulus.Batching(N, 20).
 * Ours (u32): PRESETS.n<N> with SEAL's t: total log2(Q·P) (special primes included)
 * ≤ SEAL's, 128-bit security by the same HE-standard table (params.ts); the
 * default presets keep SEAL's data level as closely as 29-bit primes allow (174 /
 * 377 data bits against SEAL's 174 / 389); the JSON holds both sides' data log Q,
 * log Q·P, digit count and budgets (rows `dataLogQ`, `logQP`, `keySwitchDigits`,
 * `freshBudget`, `budgetAfterMulRelin`). QHE_BENCH_PRESETS=default,fast adds rows
 * (field `preset: 'fast'`) for the `-fast` presets, which trade a third of the data
 * bits for fewer key-switching digits (params.ts): those rows are not like-for-like
 * (SEAL keeps its data bits).
 * Both sides write into preallocated outputs (`…Into`).
 *
 * Method (issue 14: "alternate ours and the peer op by op for at least 15 rounds,
 * report the median ratio with its interquartile range"):
 *  1. set up both sides at N and check them (our product decrypts to the slotwise
 *     product; node-seal's `verify`), warm every op up, and size one *batch* per
 *     op and side: the number of back-to-back calls that lasts ≈ QHE_BENCH_BATCH_MS;
 *  2. ROUNDS rounds; in each, for every (kernel, variant) and op: our batch, then
 *     the peer's batch (node-seal in its worker thread, timed inside the thread),
 *     the order flipped every round; a round gives ms per call of each side and
 *     their ratio ours / node-seal;
 *  3. per op: the median ratio over the rounds and its quartiles (ratioQ1,
 *     ratioQ3), and the median ms of each side; the same on CPU time
 *     (cpuRatio…, process.cpuUsage around each batch, lib/report.ts `timeBatch`),
 *     which a loaded machine disturbs far less than wall time: wall time also
 *     counts the slices the scheduler gives to other processes.
 * Rounds run over all ops in turn, so a burst of load spoils one round of every
 * op rather than every round of one op.
 *
 * Multiplication variants: when `BfvParameterLiteral` accepts
 * `multiplication: 'behz' | 'hps'` (detected by constructing contexts with it,
 * see `multiplicationVariants`), every op is measured for both; otherwise BEHZ
 * only. QHE_BENCH_REPEAT=2 runs the whole comparison twice back to back and
 * writes the relative difference of every median ratio (`agreement`).
 * node-seal runs in a worker thread of its own (peers/seal-thread.ts: in the
 * same isolate its wasm memory growth slows every typed-array loop of ours).
 * Also the noise budget after one multiply + relinearize of two fresh
 * public-key ciphertexts, in bits, for both.
 *
 * Env: QHE_BENCH_N (default 4096,8192,16384), QHE_BENCH_KERNELS (u32,u64),
 * QHE_BENCH_U64_N (ring degrees with u64 rows, default 4096), QHE_BENCH_ROUNDS
 * (default 21, at least 15 for the issue's method), QHE_BENCH_BATCH_MS (default
 * 25), QHE_BENCH_OPS (a subset of ops), QHE_BENCH_VARIANTS (behz,hps),
 * QHE_BENCH_REPEAT (1 or 2), QHE_BENCH_PRESETS (default,fast). Short check: QHE_BENCH_N=4096 QHE_BENCH_ROUNDS=5
 * QHE_BENCH_BATCH_MS=5.
 */
import { loadavg } from 'node:os';
import {
  BatchEncoder,
  BfvContext,
  Ciphertext,
  Decryptor,
  Encryptor,
  Evaluator,
  KeyGenerator,
  PRESETS,
  QheError,
  type BfvParameterLiteral,
  type KernelName,
} from '@qhe/bfv';
import { bfvOpNames, type BfvOpName } from '../peers/seal.js';
import { SealThread } from '../lib/seal-thread-client.js';
import { printTable, quartiles, timeBatch, writeResults, type BatchTime } from '../lib/report.js';

type Variant = 'behz' | 'hps';
/** Parameters with the multiplication option, whether or not this build of `@qhe/bfv` declares it. */
type Literal = BfvParameterLiteral & { readonly multiplication?: Variant };

const list = (v: string | undefined, fallback: string): string[] => (v ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
const sizes = list(process.env.QHE_BENCH_N, '4096,8192,16384').map(Number);
const kernels = list(process.env.QHE_BENCH_KERNELS, 'u32,u64') as KernelName[];
const u64Sizes = list(process.env.QHE_BENCH_U64_N, '4096').map(Number);
const rounds = Number(process.env.QHE_BENCH_ROUNDS ?? 21);
const batchMs = Number(process.env.QHE_BENCH_BATCH_MS ?? 25);
const opNames = list(process.env.QHE_BENCH_OPS, bfvOpNames.join(',')) as BfvOpName[];
const repeat = Number(process.env.QHE_BENCH_REPEAT ?? 1);
for (const op of opNames) if (!bfvOpNames.includes(op)) throw new Error(`QHE_BENCH_OPS: expected ops among ${bfvOpNames.join(', ')}, got ${op}`);
if (!(repeat === 1 || repeat === 2)) throw new Error(`QHE_BENCH_REPEAT: expected 1 or 2, got ${repeat}`);

/** Preset choice per N (u32): the default presets (SEAL's data level), or the `-fast` ones (fewer data bits, fewer digits). */
type PresetChoice = 'default' | 'fast';
const presetChoices = list(process.env.QHE_BENCH_PRESETS, 'default') as PresetChoice[];
for (const p of presetChoices) if (p !== 'default' && p !== 'fast') throw new Error(`QHE_BENCH_PRESETS: expected default and/or fast, got ${p}`);

/** The u32 shape of PRESETS for N (its `-fast` variant when asked for and one exists). */
function presetShape(n: number, preset: PresetChoice): Pick<BfvParameterLiteral, 'coeffModulus' | 'specialModulus' | 'keySwitchDigitSize'> {
  const all = PRESETS as Readonly<Record<string, BfvParameterLiteral>>;
  const p = (preset === 'fast' ? all[`n${n}-fast`] : undefined) ?? all[`n${n}`];
  if (!p) throw new Error(`no preset for N=${n}`);
  return { coeffModulus: p.coeffModulus, specialModulus: p.specialModulus, keySwitchDigitSize: p.keySwitchDigitSize };
}

/** Whether N has a `-fast` preset distinct from the default one. */
const hasFast = (n: number): boolean => `n${n}-fast` in PRESETS;

/** Our parameters for each N: the presets (u32), SEAL-sized primes (u64); at most SEAL's log Q·P. */
function ourParameters(n: number, t: number, kernel: KernelName, variant: Variant | null, preset: PresetChoice): Literal {
  const u32: Record<number, Pick<BfvParameterLiteral, 'coeffModulus' | 'specialModulus' | 'keySwitchDigitSize'>> = {
    4096: presetShape(4096, preset),
    8192: presetShape(8192, preset),
    16384: presetShape(16384, preset),
  };
  // u64 can hold SEAL's own prime sizes: fewer, larger limbs.
  const u64: Record<number, Pick<BfvParameterLiteral, 'coeffModulus' | 'specialModulus'>> = {
    4096: { coeffModulus: [36, 36], specialModulus: [37] },
    8192: { coeffModulus: [43, 43, 44, 44], specialModulus: [44] },
    16384: { coeffModulus: [48, 48, 48, 49, 49, 49, 49, 49], specialModulus: [49] },
  };
  const shape = (kernel === 'u32' ? u32 : u64)[n];
  if (!shape) throw new Error(`no ${kernel} parameter shape for N=${n}`);
  return { polyDegree: n, ...shape, plainModulus: t, kernel, ...(variant ? { multiplication: variant } : {}) };
}

/**
 * The multiplication variants this build of `@qhe/bfv` offers: both when a context
 * refuses a bogus `multiplication` with a typed error (the option is validated) and
 * accepts 'hps'; otherwise only BEHZ (the option is unknown, so it is ignored).
 */
function multiplicationVariants(): { variants: Variant[]; default: Variant } {
  const probe = (m: unknown): BfvContext =>
    new BfvContext({ polyDegree: 1024, coeffModulus: [27], specialModulus: [27], plainModulus: 65537, allowInsecure: true, multiplication: m } as BfvParameterLiteral);
  const declared = (ctx: BfvContext): unknown => (ctx.params as { multiplication?: unknown }).multiplication;
  try {
    probe('not-a-variant');
    return { variants: ['behz'], default: 'behz' }; // accepted anything: the option does not exist
  } catch (e) {
    if (!(e instanceof QheError)) throw e;
  }
  const hps = probe('hps');
  const dflt = declared(probe(undefined));
  if (declared(hps) !== undefined && declared(hps) !== 'hps') return { variants: ['behz'], default: 'behz' };
  return { variants: ['behz', 'hps'], default: dflt === 'hps' ? 'hps' : 'behz' };
}

function ourOps(n: number, t: number, kernel: KernelName, variant: Variant | null, preset: PresetChoice) {
  const ctx = new BfvContext(ourParameters(n, t, kernel, variant, preset) as BfvParameterLiteral);
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
    if (got[i] !== Number((BigInt(x[i]) * BigInt(y[i])) % BigInt(t))) throw new Error(`qhe ${kernel} ${variant ?? ''} N=${n}: wrong product at slot ${i}`);
  return { ops, budgetAfterMulRelin: dec.invariantNoiseBudget(relinOnce), freshBudget: dec.invariantNoiseBudget(a), logQP: ctx.params.logQP, logQ: ctx.params.logQ, digits: ctx.level(0).digits.length };
}

/** Calls per batch so that one batch lasts ≈ batchMs (at least one call), from a warm-up estimate. */
const repsFor = (msPerCall: number): number => Math.max(1, Math.round(batchMs / Math.max(msPerCall, 1e-4)));

/** Warms an op up (JIT, caches, pools) and returns the smallest ms per call seen. */
async function warmUp(run: (reps: number) => BatchTime | Promise<BatchTime>): Promise<number> {
  let best = Infinity, spent = 0;
  for (let i = 0; i < 20 && (i < 3 || spent < 2 * batchMs); i++) {
    const ms = (await run(1)).wallMs;
    best = Math.min(best, ms);
    spent += ms;
  }
  return best;
}

interface Series { readonly n: number; readonly kernel: KernelName; readonly variant: Variant; readonly preset?: PresetChoice; readonly op: BfvOpName; ours: BatchTime[]; peer: BatchTime[]; oursReps: number; peerReps: number }

/** One whole comparison (every N, kernel, variant, op): timing rows and parameter rows. */
async function compare(peer: SealThread, variants: readonly Variant[], detected: boolean, pass: number): Promise<{ rows: Record<string, unknown>[]; series: Series[] }> {
  const rows: Record<string, unknown>[] = [];
  const all: Series[] = [];
  for (const n of sizes) {
    const info = await peer.api.setupOps(n);
    // Presets apply to u32 only (u64 takes SEAL's prime sizes); the default preset's rows carry no `preset` field.
    const configs = kernels
      .filter((k) => k === 'u32' || u64Sizes.includes(n))
      .flatMap((kernel) => (kernel === 'u32' ? presetChoices.filter((p) => p === 'default' || hasFast(n)) : (['default'] as PresetChoice[])).flatMap((preset) => variants.map((variant) => ({ kernel, variant, preset }))));
    const sides = configs.map(({ kernel, variant, preset }) => ({
      kernel, variant, ...(preset === 'default' ? {} : { preset }), ours: ourOps(n, info.t, kernel, detected ? variant : null, preset),
    }));
    const series: Series[] = [];
    for (const s of sides)
      for (const op of opNames) {
        const oursMs = await warmUp((r) => timeBatch(s.ours.ops[op], r));
        const peerMs = await warmUp((r) => peer.api.timeOp(op, r));
        series.push({ n, kernel: s.kernel, variant: s.variant, preset: s.preset, op, ours: [], peer: [], oursReps: repsFor(oursMs), peerReps: repsFor(peerMs) });
      }
    const started = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const [i, s] of series.entries()) {
        const fn = sides[Math.floor(i / opNames.length)].ours.ops[s.op];
        let ours: BatchTime, theirs: BatchTime;
        if (r % 2 === 0) {
          ours = timeBatch(fn, s.oursReps);
          theirs = await peer.api.timeOp(s.op, s.peerReps);
        } else {
          theirs = await peer.api.timeOp(s.op, s.peerReps);
          ours = timeBatch(fn, s.oursReps);
        }
        s.ours.push(ours), s.peer.push(theirs);
      }
    }
    console.error(`pass ${pass}, N=${n}: ${rounds} rounds of ${series.length} op batches per side in ${((performance.now() - started) / 1000).toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`);
    for (const s of series) {
      const wall = quartiles(s.ours.map((o, r) => o.wallMs / s.peer[r].wallMs));
      const cpu = quartiles(s.ours.map((o, r) => o.cpuMs / s.peer[r].cpuMs));
      const med = (xs: BatchTime[], k: keyof BatchTime): number => quartiles(xs.map((x) => x[k])).median;
      rows.push({
        op: s.op, n, kernel: s.kernel, variant: s.variant, ...(s.preset ? { preset: s.preset } : {}), threads: 1, rounds,
        oursMs: med(s.ours, 'wallMs'), peerMs: med(s.peer, 'wallMs'), ratio: wall.median, ratioQ1: wall.q1, ratioQ3: wall.q3,
        oursCpuMs: med(s.ours, 'cpuMs'), peerCpuMs: med(s.peer, 'cpuMs'), cpuRatio: cpu.median, cpuRatioQ1: cpu.q1, cpuRatioQ3: cpu.q3,
        oursReps: s.oursReps, peerReps: s.peerReps,
      });
    }
    all.push(...series);
    // What each side's parameters hold: a preset with fewer data bits than SEAL's is faster partly for that reason.
    const peerDataLogQ = info.dataPrimeBits.reduce((a, b) => a + b, 0);
    for (const s of sides) {
      const id = { n, kernel: s.kernel, variant: s.variant, ...(s.preset ? { preset: s.preset } : {}) };
      rows.push({ op: 'budgetAfterMulRelin', ...id, ours: s.ours.budgetAfterMulRelin, peer: info.budgetAfterMulRelin });
      rows.push({ op: 'freshBudget', ...id, ours: s.ours.freshBudget, peer: info.freshBudget });
      rows.push({ op: 'logQP', ...id, ours: s.ours.logQP, peer: info.logQ });
      rows.push({ op: 'dataLogQ', ...id, ours: s.ours.logQ, peer: peerDataLogQ });
      rows.push({ op: 'keySwitchDigits', ...id, ours: s.ours.digits, peer: info.dataPrimeBits.length });
    }
  }
  return { rows, series: all };
}

async function main(): Promise<void> {
  const { variants: offered, default: defaultVariant } = multiplicationVariants();
  const detected = offered.length > 1;
  const variants = offered.filter((v) => list(process.env.QHE_BENCH_VARIANTS, 'behz,hps').includes(v));
  console.error(`multiplication variants: ${offered.join(', ')} (default ${defaultVariant}); measuring ${variants.join(', ')}`);
  const loadBefore = loadavg();
  const started = performance.now();
  // node-seal runs in its own isolate (peers/seal-thread.ts explains why).
  const peer = await SealThread.start();
  const passes: Awaited<ReturnType<typeof compare>>[] = [];
  try {
    for (let p = 1; p <= repeat; p++) passes.push(await compare(peer, variants, detected, p));
  } finally {
    await peer.close();
  }
  const [first, second] = passes;
  const agreement = second
    ? first.rows.filter((r) => typeof r.ratio === 'number').map((r) => {
        const again = second.rows.find((x) => x.op === r.op && x.n === r.n && x.kernel === r.kernel && x.variant === r.variant && x.preset === r.preset)!;
        const diff = (k: string): number => (again[k] as number) / (r[k] as number) - 1;
        return {
          op: r.op, n: r.n, kernel: r.kernel, variant: r.variant, preset: r.preset,
          ratio1: r.ratio, ratio2: again.ratio, relDiff: diff('ratio'), within10: Math.abs(diff('ratio')) <= 0.1,
          cpuRatio1: r.cpuRatio, cpuRatio2: again.cpuRatio, cpuRelDiff: diff('cpuRatio'), cpuWithin10: Math.abs(diff('cpuRatio')) <= 0.1,
        };
      })
    : undefined;
  printTable(first.rows);
  if (agreement) {
    console.log('\nagreement of two back-to-back runs (relDiff = ratio2 / ratio1 − 1):');
    printTable(agreement);
  }
  const minutes = (performance.now() - started) / 60000;
  const file = writeResults('ops-vs-seal', {
    method: `${rounds} rounds alternating ours and node-seal op by op (order flipped every round), batches of ≈ ${batchMs} ms per side; ratio = median over rounds of ours / node-seal wall time per call, ratioQ1..ratioQ3 its interquartile range; cpuRatio the same on process CPU time; oursMs, peerMs (wall) and oursCpuMs, peerCpuMs medians over rounds`,
    multiplication: { offered, default: defaultVariant },
    loadavg: { before: loadBefore, after: loadavg() },
    minutes,
    rows: first.rows,
    ...(agreement
      ? {
          agreementSummary: {
            runs: 2, ratios: agreement.length,
            within10: agreement.filter((a) => a.within10).length, maxAbsRelDiff: Math.max(...agreement.map((a) => Math.abs(a.relDiff))),
            cpuWithin10: agreement.filter((a) => a.cpuWithin10).length, cpuMaxAbsRelDiff: Math.max(...agreement.map((a) => Math.abs(a.cpuRelDiff))),
          },
          agreement,
          rowsSecondRun: second.rows,
        }
      : {}),
  });
  console.log('\nwrote', file);
}

await main();
