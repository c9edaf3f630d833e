/**
 * Samplers (sampling.ts): the seeded stream and every sampler's byte
 * consumption against independent re-implementations of the documented format
 * (so seeded expansion is portable and kernel-independent), ranges, and
 * statistics. Statistical bounds are ≥ 8 standard errors (or χ² tails below
 * 10^-9), so a correct sampler essentially never fails them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PrimeOps, Residues } from '../../src/math/kernel.js';
import { u32Kernel } from '../../src/math/kernel-u32.js';
import { u64Kernel } from '../../src/math/kernel-u64.js';
import { nttPrimes } from '../../src/math/primes.js';
import {
  CBD_ETA,
  randomSeed,
  sampleCenteredBinomial,
  sampleTernary,
  sampleUniformMod,
  sampleUniformRns,
  seededRandom,
  SEED_BYTES,
  smallToResidues,
  systemRandom,
  type RandomSource,
} from '../../src/math/sampling.js';
import { centre } from '../../src/math/zq.js';
import { big, expectQheError } from './helpers.js';

const SEED = Uint8Array.from({ length: 32 }, (_, i) => i);
const seedOf = (b: number) => new Uint8Array(32).fill(b);

/** The documented stream: SHAKE256(seed ‖ u64le(k), 4096) for k = 0, 1, … */
function referenceStream(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 4096) * 4096);
  for (let k = 0; k * 4096 < length; k++) {
    const input = Buffer.alloc(40);
    input.set(seed);
    input.writeBigUInt64LE(BigInt(k), 32);
    out.set(createHash('shake256', { outputLength: 4096 }).update(input).digest(), k * 4096);
  }
  return out.subarray(0, length);
}

/** Reads a byte array the way the header specifies. */
class Cursor {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte(): number {
    return this.bytes[this.pos++];
  }
  u32(): bigint {
    let v = 0n;
    for (let i = 0; i < 4; i++) v |= BigInt(this.byte()) << BigInt(8 * i);
    return v;
  }
}

function referenceUniform(bytes: Uint8Array, q: bigint, n: number): bigint[] {
  const c = new Cursor(bytes), bits = BigInt(q.toString(2).length), mask = (1n << bits) - 1n;
  const out: bigint[] = [];
  while (out.length < n) {
    const cand = bits <= 32n ? c.u32() & mask : (c.u32() | (c.u32() << 32n)) & mask;
    if (cand < q) out.push(cand);
  }
  return out;
}

function popcount(b: number): number {
  let k = 0;
  for (; b; b >>= 1) k += b & 1;
  return k;
}

function alloc(ops: PrimeOps, length = ops.n): Residues {
  return (ops.kernel === 'u32' ? u32Kernel : u64Kernel).alloc(length);
}

function meanVar(xs: ArrayLike<number>): [number, number] {
  let s = 0, s2 = 0;
  for (let i = 0; i < xs.length; i++) (s += xs[i]), (s2 += xs[i] * xs[i]);
  const m = s / xs.length;
  return [m, s2 / xs.length - m * m];
}

describe('random sources', () => {
  it('SHAKE256 in node:crypto is the FIPS 202 function (empty-input known answer)', () => {
    expect(createHash('shake256', { outputLength: 32 }).update('').digest('hex')).toBe('46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f');
  });

  it('seededRandom is the documented SHAKE256 counter-mode stream, whatever the read pattern', () => {
    const want = referenceStream(SEED, 20000);
    const rng = seededRandom(SEED);
    const got = new Uint8Array(20000);
    let p = 0;
    // Mixed reads, including 4-byte reads straddling the 4096-byte block boundaries.
    got.set(Array.from({ length: 4093 }, () => rng.nextByte()), p), (p += 4093);
    for (let i = 0; i < 3; i++) {
      const v = rng.nextUint32();
      got.set([v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24], p), (p += 4);
    }
    const chunk = new Uint8Array(20000 - p - 5);
    rng.fill(chunk);
    got.set(chunk, p), (p += chunk.length);
    for (; p < 20000; p++) got[p] = rng.nextByte();
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
    // Pinned known answer (format regression): first 16 bytes for seed 00 01 … 1f.
    const first = new Uint8Array(16);
    seededRandom(SEED).fill(first);
    expect(Buffer.from(first).toString('hex')).toBe('caac6f487add099067cdebb9b27416ee');
  });

  it('seeded sources are deterministic, distinct seeds differ, the seed is copied', () => {
    const a = new Uint8Array(64), b = new Uint8Array(64), c = new Uint8Array(64);
    const seed = seedOf(7);
    const rng = seededRandom(seed);
    seed.fill(8); // mutating the caller's seed must not change the stream
    rng.fill(a);
    seededRandom(seedOf(7)).fill(b);
    seededRandom(seedOf(8)).fill(c);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const bad of [new Uint8Array(31), new Uint8Array(33), 'x'.repeat(32) as unknown as Uint8Array])
      expectQheError(() => seededRandom(bad), 'INVALID_ARGUMENT', 'seededRandom', `${SEED_BYTES}-byte`);
  });

  it('systemRandom: bytes cover [0, 256), uint32 in range, fills across its 64 KiB chunks, fresh seeds differ', () => {
    const rng = systemRandom();
    const big1 = new Uint8Array(200_000);
    rng.fill(big1);
    const counts = new Array<number>(256).fill(0);
    for (const v of big1) counts[v]++;
    // χ² with 255 degrees of freedom: mean 255, sd ≈ 22.6; 500 is > 10 sd away.
    const e = big1.length / 256;
    expect(counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const v = rng.nextUint32();
      expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
    }
    expect(randomSeed().length).toBe(32);
    expect(randomSeed()).not.toEqual(randomSeed());
  });
});

describe('sampleUniformMod', () => {
  const N = 1024;
  const moduli: PrimeOps[] = [
    u32Kernel.modulus(3n, N, { ntt: false }),
    u32Kernel.modulus(12289n, N),
    u32Kernel.modulus(nttPrimes({ bits: 29, n: N, count: 1 })[0], N),
    u64Kernel.modulus(12289n, N),
    u64Kernel.modulus(nttPrimes({ bits: 29, n: N, count: 1 })[0], N),
    u64Kernel.modulus((1n << 32n) - 5n, N, { ntt: false }),
    u64Kernel.modulus((1n << 32n) + 15n, N, { ntt: false }),
    u64Kernel.modulus(nttPrimes({ bits: 33, n: N, count: 1 })[0], N),
    u64Kernel.modulus(nttPrimes({ bits: 61, n: N, count: 1 })[0], N),
  ];

  it('follows the documented rejection format and stays in [0, q)', () => {
    for (const ops of moduli) {
      const out = alloc(ops);
      sampleUniformMod(seededRandom(SEED), ops, out);
      const got = big(out);
      expect(got).toEqual(referenceUniform(referenceStream(SEED, 64 * N), ops.q, N));
      expect(got.every((v) => v >= 0n && v < ops.q)).toBe(true);
    }
  });

  it('is kernel-independent: the same seed gives the same integers under u32 and u64', () => {
    for (const q of [12289n, nttPrimes({ bits: 29, n: N, count: 2 })[1]]) {
      const a = alloc(u32Kernel.modulus(q, N)), b = alloc(u64Kernel.modulus(q, N));
      sampleUniformMod(seededRandom(seedOf(3)), u32Kernel.modulus(q, N), a);
      sampleUniformMod(seededRandom(seedOf(3)), u64Kernel.modulus(q, N), b);
      expect(big(a)).toEqual(big(b));
    }
  });

  it('χ² uniformity on small moduli, mean and halves on large ones', () => {
    const rng = systemRandom();
    for (const q of [3n, 17n, 97n]) {
      const ops = u32Kernel.modulus(q, 4096, { ntt: false });
      const counts = new Array<number>(Number(q)).fill(0);
      const out = alloc(ops);
      const draws = 16;
      for (let d = 0; d < draws; d++) {
        sampleUniformMod(rng, ops, out);
        for (const v of out as Int32Array) counts[v]++;
      }
      const e = (draws * 4096) / Number(q), df = Number(q) - 1;
      const chi2 = counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
      // P(χ² > df + 12·√(2·df) + 30) < 10^-9 for these df.
      expect(chi2, `q = ${q}`).toBeLessThan(df + 12 * Math.sqrt(2 * df) + 30);
    }
    for (const ops of moduli.slice(2)) {
      const out = alloc(ops);
      const xs: number[] = [];
      for (let d = 0; d < 16; d++) {
        sampleUniformMod(rng, ops, out);
        for (const v of big(out)) xs.push(Number(v) / Number(ops.q));
      }
      const [m, v] = meanVar(xs);
      const se = Math.sqrt(1 / 12 / xs.length);
      expect(Math.abs(m - 0.5), `q = ${ops.q}`).toBeLessThan(8 * se);
      expect(Math.abs(v - 1 / 12)).toBeLessThan(0.01);
    }
  });

  it('sampleUniformRns fills limb i from ops[i], in limb order, from one stream', () => {
    const primes = nttPrimes({ bits: 29, n: 256, count: 3 });
    for (const kernel of [u32Kernel, u64Kernel]) {
      const ops = primes.map((q) => kernel.modulus(q, 256));
      const data = kernel.alloc(3 * 256);
      sampleUniformRns(seededRandom(SEED), ops, data);
      const rng = seededRandom(SEED);
      for (let i = 0; i < 3; i++) {
        const limb = kernel.alloc(256);
        sampleUniformMod(rng, ops[i], limb);
        expect(big(data.subarray(i * 256, (i + 1) * 256))).toEqual(big(limb));
      }
      expectQheError(() => sampleUniformRns(seededRandom(SEED), ops, kernel.alloc(2 * 256)), 'LENGTH_MISMATCH', 'got 512');
    }
  });

  it('refuses storage of the wrong kernel or length', () => {
    expectQheError(() => sampleUniformMod(seededRandom(SEED), u32Kernel.modulus(12289n, 16), new BigUint64Array(16)), 'KERNEL_MISMATCH');
    expectQheError(() => sampleUniformMod(seededRandom(SEED), u64Kernel.modulus(12289n, 16), new Int32Array(16)), 'KERNEL_MISMATCH');
    expectQheError(() => sampleUniformMod(seededRandom(SEED), u32Kernel.modulus(12289n, 16), new Int32Array(15)), 'LENGTH_MISMATCH', 'got 15');
  });
});

describe('sampleTernary', () => {
  it('follows the documented format: one byte per candidate, 255 rejected, (b mod 3) − 1', () => {
    const n = 5000;
    const bytes = referenceStream(SEED, 2 * n);
    const want: number[] = [];
    for (let p = 0; want.length < n; p++) if (bytes[p] !== 255) want.push((bytes[p] % 3) - 1);
    expect(Array.from(sampleTernary(seededRandom(SEED), n))).toEqual(want);
    expect(Array.from(sampleTernary(seededRandom(SEED), 16)).join(',')).toBe('0,0,-1,-1,1,1,-1,-1,0,0,0,1,0,1,0,0');
  });

  it('values in {−1, 0, 1}, each with frequency 1/3 within 8 standard errors', () => {
    const n = 1 << 16;
    const s = sampleTernary(systemRandom(), n);
    expect(s.length).toBe(n);
    const counts = { '-1': 0, '0': 0, '1': 0 } as Record<string, number>;
    for (const v of s) counts[String(v)]++;
    expect(counts['-1'] + counts['0'] + counts['1']).toBe(n);
    const se = Math.sqrt((1 / 3) * (2 / 3) / n);
    for (const k of ['-1', '0', '1']) expect(Math.abs(counts[k] / n - 1 / 3)).toBeLessThan(8 * se);
    expect(sampleTernary(systemRandom(), 0).length).toBe(0);
    expectQheError(() => sampleTernary(systemRandom(), -1), 'INVALID_ARGUMENT', 'got -1');
  });
});

describe('sampleCenteredBinomial', () => {
  it('η = 21 is SEAL’s sample_poly_cbd byte for byte', () => {
    const n = 3000;
    const bytes = referenceStream(SEED, 6 * n);
    const want = Array.from({ length: n }, (_, i) => {
      const x = bytes.subarray(6 * i, 6 * i + 6);
      return popcount(x[0]) + popcount(x[1]) + popcount(x[2] & 0x1f) - popcount(x[3]) - popcount(x[4]) - popcount(x[5] & 0x1f);
    });
    expect(CBD_ETA).toBe(21);
    expect(Array.from(sampleCenteredBinomial(seededRandom(SEED), n))).toEqual(want);
  });

  it('η = 21: bounded by 21, mean 0 and variance 10.5 (σ ≈ 3.24) within 8 standard errors, binomial shape', () => {
    const n = 1 << 17;
    const s = sampleCenteredBinomial(systemRandom(), n);
    expect(s.every((v) => Math.abs(v) <= 21)).toBe(true);
    const [m, v] = meanVar(s);
    expect(Math.abs(m)).toBeLessThan(8 * Math.sqrt(10.5 / n));
    // Var of the sample variance ≈ (μ4 − σ⁴)/n with μ4 = 3σ⁴ − σ²/2 for this distribution.
    expect(Math.abs(v - 10.5)).toBeLessThan(8 * Math.sqrt((2 * 10.5 * 10.5 - 5.25) / n));
    // P(e = k) = C(42, 21 + k) / 2^42: χ² on |k| ≤ 8 with the tails merged (18 cells).
    const binom = (a: number, b: number) => {
      let r = 1;
      for (let i = 1; i <= b; i++) r = (r * (a - b + i)) / i;
      return r;
    };
    const p = (k: number) => binom(42, 21 + k) / 2 ** 42;
    const cells = new Array<number>(19).fill(0);
    for (const x of s) cells[Math.max(-9, Math.min(9, x)) + 9]++;
    let tail = 0;
    for (let k = 9; k <= 21; k++) tail += p(k);
    const probs = Array.from({ length: 19 }, (_, i) => (i === 0 || i === 18 ? tail : p(i - 9)));
    const chi2 = cells.reduce((acc, c, i) => acc + (c - n * probs[i]) ** 2 / (n * probs[i]), 0);
    expect(chi2).toBeLessThan(18 + 12 * Math.sqrt(36) + 30);
  });

  it('other η: bound, mean and variance η/2; argument checks', () => {
    for (const eta of [1, 2, 3, 8, 9, 16, 32]) {
      const n = 1 << 15;
      const s = sampleCenteredBinomial(seededRandom(seedOf(eta)), n, eta);
      expect(s.every((v) => Math.abs(v) <= eta)).toBe(true);
      const [m, v] = meanVar(s);
      expect(Math.abs(m)).toBeLessThan(8 * Math.sqrt(eta / 2 / n));
      expect(Math.abs(v - eta / 2)).toBeLessThan(8 * Math.sqrt((2 * (eta / 2) ** 2) / n) + 0.01);
    }
    expect(Array.from(sampleCenteredBinomial(seededRandom(SEED), 16)).join(',')).toBe('1,-7,-3,0,-2,-6,0,-2,-8,6,-6,4,3,2,2,-1');
    for (const eta of [0, 33, 2.5]) expectQheError(() => sampleCenteredBinomial(systemRandom(), 4, eta), 'INVALID_ARGUMENT', `got ${eta}`);
  });
});

describe('smallToResidues', () => {
  const n = 512;
  const primes = [...nttPrimes({ bits: 29, n, count: 2 }), 12289n];
  const primes61 = nttPrimes({ bits: 61, n, count: 2 });

  function check(kernelName: 'u32' | 'u64', ps: bigint[], small: Int8Array | Int32Array): bigint[][] {
    const kernel = kernelName === 'u32' ? u32Kernel : u64Kernel;
    const ops = ps.map((q) => kernel.modulus(q, n));
    const data = kernel.alloc(ps.length * n);
    smallToResidues(small, ops, data);
    const limbs = ps.map((q, i) => big(data.subarray(i * n, (i + 1) * n)));
    ps.forEach((q, i) => {
      expect(limbs[i].every((v) => v >= 0n && v < q)).toBe(true);
      // The same integer in every limb: its centred residue is the sampled value.
      expect(limbs[i].map((v) => Number(centre(v, q)))).toEqual(Array.from(small));
    });
    return limbs;
  }

  it('writes the same signed integer into every limb, identically on both kernels', () => {
    const rng: RandomSource = seededRandom(SEED);
    const ternary = sampleTernary(rng, n), noise = sampleCenteredBinomial(rng, n);
    const extremes = Int32Array.from({ length: n }, (_, i) => [0, 1, -1, 21, -21, 6144, -6144][i % 7]);
    for (const small of [ternary, noise, extremes]) {
      expect(check('u32', primes, small)).toEqual(check('u64', primes, small));
      check('u64', primes61, small);
    }
  });

  it('refuses values not below every q, wrong lengths and kernel mismatches', () => {
    const ops = primes.map((q) => u32Kernel.modulus(q, n));
    const data = u32Kernel.alloc(3 * n);
    const tooBig = new Int32Array(n);
    tooBig[5] = -12289;
    expectQheError(() => smallToResidues(tooBig, ops, data), 'OUT_OF_RANGE', 'got 12289');
    expectQheError(() => smallToResidues(new Int8Array(n - 1), ops, data), 'LENGTH_MISMATCH', `got ${n - 1}`);
    expectQheError(() => smallToResidues(new Int8Array(n), ops, u32Kernel.alloc(2 * n)), 'LENGTH_MISMATCH', `got ${2 * n}`);
    expectQheError(() => smallToResidues(new Int8Array(n), ops, u64Kernel.alloc(3 * n)), 'KERNEL_MISMATCH');
  });
});
