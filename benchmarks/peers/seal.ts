/**
 * node-seal 6.0.3 (SEAL 4.1 → wasm) measurements that our tinybench suites run
 * next to qhe's own closures, in the same Bench, so that ratios survive the
 * noisy shared machines. Everything here is the *peer* side: it measures SEAL
 * the way a careful SEAL user would drive it from JS:
 *
 *  - every timed closure performs exactly one library operation on inputs
 *    prepared beforehand and writes into a destination allocated beforehand,
 *    so neither JS nor wasm allocation is on the timed path (SEAL reuses a
 *    destination's buffer when its capacity suffices and draws temporaries
 *    from its global memory pool, which is warm after the first call);
 *  - public-key encryption, BFVDefault(n) coefficient moduli (128-bit
 *    security) and PlainModulus.Batching(n, 20), i.e. SEAL's own defaults;
 *  - scalar weights are constant-polynomial plaintexts, which SEAL multiplies
 *    via its monomial fast path instead of an NTT-domain product.
 *
 * Each factory returns `dispose()`, which deletes every node-seal object it
 * created; call it before building the next one or wasm memory grows without
 * bound. `verify()` decrypts the results of one run and throws on a mismatch,
 * so suites can sanity-check a peer before timing it.
 */
import { bitLength, type CipherText, type PlainText, type SealLib } from './seal-lib.js';
import { createBfvSetup, randomSlots } from './seal-setup.js';

export { loadSeal, type SealLib } from './seal-lib.js';
export { createBfvSetup, randomSlots, type BfvSetup, type BfvSetupOptions } from './seal-setup.js';

// ---------------------------------------------------------------------------
// NTT

export interface SealNttTasks {
  /** Limbs one `ntt`/`intt` call transforms: 2 polys × L data-level primes. */
  readonly limbs: number;
  /** Bit sizes of the L data-level primes a fresh ciphertext carries (special prime excluded). */
  readonly primeBits: readonly number[];
  /** `evaluator.cipherTransformToNtt(coeffCt, dst)`: copy into `dst`, then forward NTT of every limb. */
  readonly ntt: () => void;
  /** `evaluator.cipherTransformFromNtt(nttCt, dst)`: copy into `dst`, then inverse NTT of every limb. */
  readonly intt: () => void;
  /**
   * The ciphertext copy both calls include (SEAL's `destination = encrypted`),
   * for suites that want to report or subtract it.
   */
  readonly copy: () => void;
  /** Checks that the destinations of `ntt`, `intt` and `copy` hold the source ciphertext's message; throws otherwise. */
  readonly verify: () => void;
  readonly dispose: () => void;
}

/**
 * Forward/inverse NTT of a whole ciphertext through node-seal's public API.
 *
 * Fairness: SEAL refuses to NTT a ciphertext already flagged NTT-form (and to
 * inverse-NTT one that is not), and node-seal exposes no way to clear the flag,
 * so repeating an in-place transform on one buffer is impossible. Instead the
 * source stays untouched in the right form and each call writes into a
 * preallocated destination; SEAL then does `dst = src` (a same-size memcpy,
 * no allocation) followed by the in-place transform. `copy` times that memcpy
 * alone: it measured < 1% of a transform at n = 4096…16384, so the numbers
 * are effectively pure NTT. For BFV at the first data level this works in 6.0.3 with no special
 * state: the result is simply flagged NTT-form.
 */
export function sealNttTasks(seal: SealLib, n: number): SealNttTasks {
  const s = createBfvSetup(seal, n);
  try {
    const { evaluator } = s;
    const x = randomSlots(n, s.t, 1);
    const coeffSrc = s.encrypt(x);
    const nttSrc = s.cipher();
    evaluator.cipherTransformToNtt(coeffSrc, nttSrc);
    const nttDst = s.cipher();
    const inttDst = s.cipher();
    const copyDst = s.cipher();
    // Size the destinations now so the first timed call does not allocate.
    evaluator.cipherTransformToNtt(coeffSrc, nttDst);
    evaluator.cipherTransformFromNtt(nttSrc, inttDst);
    copyDst.copy(coeffSrc);
    return {
      limbs: coeffSrc.size * coeffSrc.coeffModulusSize,
      primeBits: s.dataPrimes.map(bitLength),
      ntt: () => evaluator.cipherTransformToNtt(coeffSrc, nttDst),
      intt: () => evaluator.cipherTransformFromNtt(nttSrc, inttDst),
      copy: () => copyDst.copy(coeffSrc),
      verify: () => {
        if (!nttDst.isNttForm || inttDst.isNttForm) throw new Error('node-seal NTT: destinations in the wrong form');
        const back = seal.CipherText();
        try {
          evaluator.cipherTransformFromNtt(nttDst, back); // decrypt needs coefficient form for BFV
          for (const [name, ct] of [['ntt', back], ['intt', inttDst], ['copy', copyDst]] as const) {
            const got = s.decrypt(ct);
            for (let i = 0; i < n; i++) if (got[i] !== x[i]) throw new Error(`node-seal NTT n=${n}: ${name} destination slot ${i} wrong`);
          }
        } finally {
          back.delete();
        }
      },
      dispose: () => s.dispose(),
    };
  } catch (e) {
    s.dispose();
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Single BFV operations

export type BfvOpName =
  | 'encode'
  | 'encrypt'
  | 'decrypt'
  | 'add'
  | 'multiplyPlain'
  | 'multiply'
  | 'relinearize'
  | 'rotateRows'
  | 'square'
  | 'modSwitchToNext';

export const bfvOpNames: readonly BfvOpName[] = [
  'encode',
  'encrypt',
  'decrypt',
  'add',
  'multiplyPlain',
  'multiply',
  'relinearize',
  'rotateRows',
  'square',
  'modSwitchToNext',
];

export interface SealBfvOps {
  readonly n: number;
  /** Σ bits of all coeff-modulus primes, special prime included (SEAL's security-table quantity). */
  readonly logQ: number;
  /** Bits of every coeff-modulus prime, special prime last. */
  readonly keyPrimeBits: readonly number[];
  /** Bits of the primes a fresh ciphertext carries. */
  readonly dataPrimeBits: readonly number[];
  readonly t: number;
  readonly ops: Readonly<Record<BfvOpName, () => void>>;
  /** Noise budget (bits) of a fresh public-key ciphertext. */
  readonly freshBudget: number;
  /** Noise budget (bits) after one multiply + relinearize of two fresh public-key ciphertexts. */
  readonly budgetAfterMulRelin: number;
  /** Decrypts every op's destination (run each op at least once first); throws on mismatch. */
  readonly verify: () => void;
  readonly dispose: () => void;
}

/**
 * One closure per BFV operation. Inputs are two fresh public-key ciphertexts
 * `a`, `b` of random slot vectors `x`, `y`; every op has its own destination so
 * interleaved tasks never resize each other's buffers (size-2 vs size-3).
 * `multiplyPlain` uses a full random plaintext (SEAL's general NTT path; the
 * scalar fast path is what workload C measures). Galois keys exist only for
 * step 1, relinearize consumes a prepared size-3 product and writes elsewhere
 * so its input stays size 3.
 */
export function sealBfvOps(seal: SealLib, n: number): SealBfvOps {
  const s = createBfvSetup(seal, n, { relin: true, galoisSteps: [1] });
  try {
    if (s.dataPrimes.length < 2) throw new Error(`sealBfvOps needs ≥ 2 data primes (n ≥ 4096), got n=${n}`);
    const { evaluator: ev, encoder, encryptor, decryptor, t } = s;
    const relinKeys = s.relinKeys!;
    const galoisKeys = s.galoisKeys!;
    const x = randomSlots(n, t, 11);
    const y = randomSlots(n, t, 12);
    const ptX = s.encode(x);
    const ptY = s.encode(y);
    const a = s.encrypt(x);
    const b = s.encrypt(y);
    const product3 = s.cipher();
    ev.multiply(a, b, product3);
    const relinOnce = s.cipher();
    ev.relinearize(product3, relinKeys, relinOnce);

    const out = {
      encode: s.plain(),
      encrypt: s.cipher(),
      decrypt: s.plain(),
      add: s.cipher(),
      multiplyPlain: s.cipher(),
      multiply: s.cipher(),
      relinearize: s.cipher(),
      rotateRows: s.cipher(),
      square: s.cipher(),
      modSwitchToNext: s.cipher(),
    };
    const ops: Record<BfvOpName, () => void> = {
      encode: () => encoder.encode(x, out.encode),
      encrypt: () => encryptor.encrypt(ptX, out.encrypt),
      decrypt: () => decryptor.decrypt(a, out.decrypt),
      add: () => ev.add(a, b, out.add),
      multiplyPlain: () => ev.multiplyPlain(a, ptY, out.multiplyPlain),
      multiply: () => ev.multiply(a, b, out.multiply),
      relinearize: () => ev.relinearize(product3, relinKeys, out.relinearize),
      rotateRows: () => ev.rotateRows(a, 1, galoisKeys, out.rotateRows),
      square: () => ev.square(a, out.square),
      modSwitchToNext: () => ev.cipherModSwitchToNext(a, out.modSwitchToNext),
    };
    // Warm every destination to its final size and SEAL's memory pool.
    for (const name of bfvOpNames) ops[name]();

    const verify = (): void => {
      const half = n / 2;
      const expect = (name: string, got: Uint32Array, f: (i: number) => number): void => {
        for (let i = 0; i < n; i++) {
          const want = f(i);
          if (got[i] !== want) throw new Error(`node-seal ${name} n=${n}: slot ${i} = ${got[i]}, expected ${want}`);
        }
      };
      const mul = (u: number, v: number): number => (u * v) % t; // < 2^40: exact in a double
      const decodePlain = (pt: PlainText): Uint32Array => encoder.decode(pt, false) as Uint32Array;
      expect('encode', decodePlain(out.encode), (i) => x[i]);
      expect('encrypt', s.decrypt(out.encrypt), (i) => x[i]);
      expect('decrypt', decodePlain(out.decrypt), (i) => x[i]);
      expect('add', s.decrypt(out.add), (i) => (x[i] + y[i]) % t);
      expect('multiplyPlain', s.decrypt(out.multiplyPlain), (i) => mul(x[i], y[i]));
      if (out.multiply.size !== 3) throw new Error(`node-seal multiply: expected size-3 result, got ${out.multiply.size}`);
      expect('multiply', s.decrypt(out.multiply), (i) => mul(x[i], y[i]));
      if (out.relinearize.size !== 2 || product3.size !== 3) throw new Error('node-seal relinearize: sizes not 3 → 2');
      expect('relinearize', s.decrypt(out.relinearize), (i) => mul(x[i], y[i]));
      // Batching view: two rows of n/2 slots; rotateRows(1) shifts each row left cyclically.
      expect('rotateRows', s.decrypt(out.rotateRows), (i) => {
        const row = i < half ? 0 : half;
        return x[row + ((i - row + 1) % half)];
      });
      expect('square', s.decrypt(out.square), (i) => mul(x[i], x[i]));
      if (out.modSwitchToNext.coeffModulusSize !== a.coeffModulusSize - 1) throw new Error('node-seal modSwitchToNext: level did not drop');
      expect('modSwitchToNext', s.decrypt(out.modSwitchToNext), (i) => x[i]);
    };

    return {
      n,
      logQ: s.logQ,
      keyPrimeBits: s.keyPrimes.map(bitLength),
      dataPrimeBits: s.dataPrimes.map(bitLength),
      t,
      ops,
      freshBudget: s.budget(a),
      budgetAfterMulRelin: s.budget(relinOnce),
      verify,
      dispose: () => s.dispose(),
    };
  } catch (e) {
    s.dispose();
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Workload A: a batch of independent ciphertext products

export interface SealWorkload {
  /** Runs the whole workload once (single thread). */
  readonly run: () => void;
  /** Decrypts the results of the last `run` and throws on mismatch. */
  readonly verify: () => void;
  /** Noise budget (bits) of the first output after the last `run`. */
  readonly budget: () => number;
  readonly dispose: () => void;
}

/**
 * `count` independent multiply + relinearize, each on its own pair of fresh
 * ciphertexts and into its own output (what a user keeping the results would
 * do); the size-3 intermediate is one reused scratch ciphertext. Pairs
 * `first … first + count − 1` of the workload (so that several instances can
 * split one workload, each its own pairs).
 * Memory: 3·count ciphertexts of 2·L·n·8 bytes (n=8192, count=64: ~100 MB).
 */
export function sealWorkloadA(seal: SealLib, n: number, count = 64, first = 0): SealWorkload {
  const s = createBfvSetup(seal, n, { relin: true });
  try {
    const { evaluator: ev, t } = s;
    const relinKeys = s.relinKeys!;
    const seedX = (i: number): number => 1000 + 2 * (first + i);
    const seedY = (i: number): number => 1001 + 2 * (first + i);
    const xs: CipherText[] = [];
    const ys: CipherText[] = [];
    const outs: CipherText[] = [];
    for (let i = 0; i < count; i++) {
      xs.push(s.encrypt(randomSlots(n, t, seedX(i))));
      ys.push(s.encrypt(randomSlots(n, t, seedY(i))));
      outs.push(s.cipher());
    }
    const scratch = s.cipher();
    const run = (): void => {
      for (let i = 0; i < count; i++) {
        ev.multiply(xs[i], ys[i], scratch);
        ev.relinearize(scratch, relinKeys, outs[i]);
      }
    };
    const verify = (): void => {
      for (let i = 0; i < count; i++) {
        const x = randomSlots(n, t, seedX(i));
        const y = randomSlots(n, t, seedY(i));
        const got = s.decrypt(outs[i]);
        for (let j = 0; j < n; j++) {
          if (got[j] !== (x[j] * y[j]) % t) throw new Error(`node-seal workload A n=${n}: pair ${i} slot ${j} wrong`);
        }
      }
    };
    return { run, verify, budget: () => s.budget(outs[0]), dispose: () => s.dispose() };
  } catch (e) {
    s.dispose();
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Workload C: a linear layer of scalar products

/**
 * Which inputs and weights each output of workload C sums. Exported so qhe's
 * side of the comparison runs the identical computation.
 *
 * Geometry: CryptoNets' first layer — 5 maps of a 5×5 kernel, stride 2, over a
 * 29×29 (28×28 padded) image of one ciphertext per pixel: 5·13·13 = 845
 * outputs, each Σ_{k<25} w_k · ct_{j_k}, reading 841 distinct inputs. The 125
 * weights are small signed integers in [−8, 8] \ {0}: zero is excluded because
 * SEAL's throwing build rejects products that become transparent ciphertexts.
 */
export interface LinearLayerPlan {
  /** Number of distinct input ciphertexts referenced (≤ 841). */
  readonly inputs: number;
  readonly outputs: number;
  readonly taps: number;
  /** `index[o·taps + k]`: input ciphertext of tap k of output o. */
  readonly index: Uint32Array;
  /** `weight[o·taps + k]`: its integer weight. */
  readonly weight: Int8Array;
  /** Outputs per feature map (output o is at position o mod positions of map ⌊o / positions⌋). */
  readonly positions: number;
}

export function linearLayerPlan(inputPool = 841): LinearLayerPlan {
  if (!Number.isInteger(inputPool) || inputPool < 1) throw new Error('inputPool must be a positive integer');
  const maps = 5, k = 5, stride = 2, side = 29, outSide = 13, taps = k * k;
  const outputs = maps * outSide * outSide;
  const index = new Uint32Array(outputs * taps);
  const weight = new Int8Array(outputs * taps);
  const kernel = new Int8Array(maps * taps);
  let s = 0x2545f491;
  for (let i = 0; i < kernel.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const m = (s % 16) - 8; // −8..7
    kernel[i] = m >= 0 ? m + 1 : m; // −8..−1, 1..8
  }
  let o = 0;
  for (let m = 0; m < maps; m++)
    for (let oy = 0; oy < outSide; oy++)
      for (let ox = 0; ox < outSide; ox++, o++)
        for (let dy = 0; dy < k; dy++)
          for (let dx = 0; dx < k; dx++) {
            const tap = dy * k + dx;
            index[o * taps + tap] = ((oy * stride + dy) * side + (ox * stride + dx)) % inputPool;
            weight[o * taps + tap] = kernel[m * taps + tap];
          }
  return { inputs: Math.min(inputPool, side * side), outputs, taps, index, weight, positions: outSide * outSide };
}

/**
 * Workload C on node-seal: the plan's 845 outputs, each accumulated as
 * `acc = w₀·ct`, then `tmp = w_k·ct; acc += tmp` with SEAL's
 * `add(tmp, acc, acc)` (SEAL turns destination == second operand into
 * add_inplace; node-seal 6.0.3 exposes no addInplace). The distinct weights
 * are encoded once as constant plaintexts (model weights), so the timed loop
 * is 21 125 monomial multiply_plain + 20 280 add on prepared data.
 *
 * `inputPool` (default 841 = the full image) caps the number of input
 * ciphertexts, indices wrap modulo it; a smaller pool saves setup time and
 * memory (841 inputs + 845 outputs at n=8192 ≈ 860 MB of wasm heap) but makes
 * the working set friendlier to caches, so compare like with like.
 * `positions` (default all) keeps only the outputs at output positions
 * [from, to) of every map, and encrypts only the inputs they read: how several
 * instances split the layer (a band of output rows reads a band of input rows,
 * so each instance holds about its share of the inputs).
 */
export function sealWorkloadC(
  seal: SealLib, n: number, options: { inputPool?: number; positions?: { from: number; to: number } } = {},
): SealWorkload & { readonly plan: LinearLayerPlan; readonly outputs: readonly number[] } {
  const plan = linearLayerPlan(options.inputPool);
  const { from, to } = options.positions ?? { from: 0, to: plan.positions };
  const mine = Array.from({ length: plan.outputs }, (_, o) => o).filter((o) => o % plan.positions >= from && o % plan.positions < to);
  const s = createBfvSetup(seal, n);
  try {
    const { evaluator: ev, t } = s;
    const inputSeed = (i: number): number => 5000 + i;
    const inputs = new Map<number, CipherText>();
    const input = (j: number): CipherText => {
      let ct = inputs.get(j);
      if (!ct) inputs.set(j, (ct = s.encrypt(randomSlots(n, t, inputSeed(j)))));
      return ct;
    };
    const weightPt = new Map<number, PlainText>();
    for (const w of plan.weight) if (!weightPt.has(w)) weightPt.set(w, s.encodeConstant(w));
    const { taps } = plan;
    // Resolve the plan to object references up front so the timed loop does no lookups.
    const tapCt: CipherText[] = mine.flatMap((o) => Array.from(plan.index.subarray(o * taps, (o + 1) * taps), input));
    const tapPt: PlainText[] = mine.flatMap((o) => Array.from(plan.weight.subarray(o * taps, (o + 1) * taps), (w) => weightPt.get(w)!));
    const outs: CipherText[] = mine.map(() => s.cipher());
    const tmp = s.cipher();
    const run = (): void => {
      for (let m = 0; m < outs.length; m++) {
        const acc = outs[m];
        const base = m * taps;
        ev.multiplyPlain(tapCt[base], tapPt[base], acc);
        for (let k = 1; k < taps; k++) {
          ev.multiplyPlain(tapCt[base + k], tapPt[base + k], tmp);
          ev.add(tmp, acc, acc);
        }
      }
    };
    /** Checks every 13th output of this instance (all slots) to keep verification to seconds. */
    const verify = (): void => {
      const xs = new Map<number, Uint32Array>();
      const slots = (j: number): Uint32Array => {
        let v = xs.get(j);
        if (!v) xs.set(j, (v = randomSlots(n, t, inputSeed(j))));
        return v;
      };
      for (let m = 0; m < mine.length; m += 13) {
        const o = mine[m];
        const got = s.decrypt(outs[m]);
        const want = new Float64Array(n);
        for (let k = 0; k < taps; k++) {
          const x = slots(plan.index[o * taps + k]);
          const w = plan.weight[o * taps + k];
          for (let i = 0; i < n; i++) want[i] += w * x[i];
        }
        for (let i = 0; i < n; i++) {
          const wi = ((want[i] % t) + t) % t;
          if (got[i] !== wi) throw new Error(`node-seal workload C n=${n}: output ${o} slot ${i} = ${got[i]}, expected ${wi}`);
        }
      }
    };
    return { plan, outputs: mine, run, verify, budget: () => s.budget(outs[0]), dispose: () => s.dispose() };
  } catch (e) {
    s.dispose();
    throw e;
  }
}
