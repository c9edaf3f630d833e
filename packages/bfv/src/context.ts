/**
 * BfvContext: validated parameters plus everything precomputed from them —
 * the modulus chain with its levels, the key base (data primes followed by the
 * special primes, as in SEAL's "key level"), per-level multiplication tools (BEHZ or HPS), the scaling
 * constants for Δ·m, and the key-switching constants.
 *
 * Levels: level 0 holds all data primes q_0..q_{L−1}; level l holds the first
 * L − l (modSwitchToNext drops the last prime), down to `params.maxLevel`, the
 * last level that can still hold t through a key switch (params.ts, check 3).
 */
import { BehzTool } from './behz.js';
import { HpsTool } from './hps.js';
import { fail } from './math/errors.js';
import type { Kernel, PrimeOps } from './math/kernel.js';
import { kernelByName } from './math/index.js';
import { BaseConverter, RnsBase } from './math/rns.js';
import { invMod, mod } from './math/zq.js';
import { bfvParameters, isBfvParameters, type BfvParameterLiteral, type BfvParameters } from './params.js';

export interface LevelData {
  readonly index: number;
  /** Data primes of this level. */
  readonly base: RnsBase;
  /** BEHZ tool when params.multiplication is 'behz', else null. */
  readonly behz: BehzTool | null;
  /** HPS tool when params.multiplication is 'hps', else null (multiply.ts dispatches on it). */
  readonly hps: HpsTool | null;
  /** ⌊Q_l / t⌋ mod q_i, the integer part of Δ. */
  readonly deltaModQ: readonly bigint[];
  /** Q_l mod t, for the rounding correction of Δ·m. */
  readonly qModT: bigint;
  /**
   * Key-switching digits at this level: data-prime indices of each digit (the
   * global digits cut to this level's primes, empty ones dropped), and the
   * FastBconv from the digit's primes to the other moduli of level ∪ special.
   */
  readonly digits: readonly { readonly index: number; readonly primes: readonly number[]; readonly others: readonly number[]; readonly toOthers: BaseConverter }[];
  /** P → level base FastBconv for the key-switching ModDown. */
  readonly specialToLevel: BaseConverter;
  /** P^{-1} mod q_i and ⌊P/2⌋ mod q_i. */
  readonly pInvModQ: readonly bigint[];
  readonly pHalfModQ: readonly bigint[];
  /** Limb index in the key base of modulus j of (level base ∪ special base). */
  readonly keyLimb: readonly number[];
  /** Ops of (level base ∪ special base), in that order. */
  readonly extendedOps: readonly PrimeOps[];
  /** Ops of the multiplication's extended base (level base ∪ Bsk, or ∪ P for HPS), in that order. */
  readonly mulOps: readonly PrimeOps[];
  /** Scratch limbs the multiplication stages (multiply.ts) need. */
  readonly mulScratchLimbs: number;
}

export class BfvContext {
  readonly params: BfvParameters;
  readonly kernel: Kernel;
  readonly n: number;
  readonly t: bigint;
  /** Operations mod t (with NTT tables when t is a batching prime). */
  readonly plainOps: PrimeOps;
  /** Data primes then special primes. */
  readonly keyBase: RnsBase;
  readonly specialBase: RnsBase;
  readonly levels: readonly LevelData[];
  /** A fingerprint of the parameters; objects from contexts with different ids never mix. */
  readonly id: string;

  constructor(params: BfvParameters | BfvParameterLiteral) {
    if (typeof params !== 'object' || params === null)
      fail('INVALID_PARAMETERS', 'BfvContext', 'validated parameters or a parameter literal object', params);
    this.params = isBfvParameters(params) ? params : bfvParameters(params);
    const p = this.params;
    this.kernel = kernelByName(p.kernel);
    this.n = p.polyDegree;
    this.t = p.plainModulus;
    this.plainOps = this.kernel.modulus(this.t, this.n, { ntt: p.batching });
    this.keyBase = new RnsBase(this.kernel, this.n, [...p.coeffModulus, ...p.specialModulus]);
    this.specialBase = new RnsBase(this.kernel, this.n, p.specialModulus);
    this.id = `bfv|N=${this.n}|${p.kernel}|q=${p.coeffModulus.join(',')}|p=${p.specialModulus.join(',')}|t=${this.t}|alpha=${p.keySwitchDigitSize}`;
    const L = p.coeffModulus.length;
    const P = this.specialBase.modulus;
    const levels: LevelData[] = [];
    for (let l = 0; l <= p.maxLevel; l++) {
      const base = new RnsBase(this.kernel, this.n, p.coeffModulus.slice(0, L - l));
      const behz = p.multiplication === 'behz' ? new BehzTool(this.kernel, this.n, base, this.t, this.keyBase.primes) : null;
      const hps = p.multiplication === 'hps' ? new HpsTool(this.kernel, this.n, base, this.t, this.keyBase.primes) : null;
      const Q = base.modulus;
      const size = base.size;
      const alpha = p.keySwitchDigitSize;
      const extendedPrimes = [...base.primes, ...this.specialBase.primes];
      const digits = [];
      for (let d = 0; d * alpha < size; d++) {
        const primes = [...Array(Math.min(alpha, size - d * alpha)).keys()].map((k) => d * alpha + k);
        const others = [...extendedPrimes.keys()].filter((j) => !primes.includes(j));
        const toOthers = new BaseConverter(
          new RnsBase(this.kernel, this.n, primes.map((i) => base.primes[i])),
          new RnsBase(this.kernel, this.n, others.map((j) => extendedPrimes[j])),
        );
        digits.push(Object.freeze({ index: d, primes: Object.freeze(primes), others: Object.freeze(others), toOthers }));
      }
      levels.push(
        Object.freeze({
          index: l,
          base,
          behz,
          hps,
          deltaModQ: Object.freeze(base.primes.map((q) => (Q / this.t) % q)),
          qModT: Q % this.t,
          digits: Object.freeze(digits),
          specialToLevel: new BaseConverter(this.specialBase, base),
          pInvModQ: Object.freeze(base.primes.map((q) => invMod(P, q))),
          pHalfModQ: Object.freeze(base.primes.map((q) => mod(P >> 1n, q))),
          keyLimb: Object.freeze([...Array(size).keys(), ...this.specialBase.primes.map((_, k) => L + k)]),
          extendedOps: Object.freeze([...base.ops, ...this.specialBase.ops]),
          mulOps: Object.freeze([...base.ops, ...(hps ? hps.p.ops : behz!.bsk.ops)]),
          mulScratchLimbs: hps ? hps.scratchLimbs : behz!.scratchLimbs,
        }),
      );
    }
    this.levels = Object.freeze(levels);
    Object.freeze(this);
  }

  get maxLevel(): number {
    return this.levels.length - 1;
  }

  level(index: number): LevelData {
    if (!Number.isInteger(index) || index < 0 || index > this.maxLevel)
      fail('LEVEL_EXHAUSTED', 'BfvContext.level', `a level in [0, ${this.maxLevel}]`, index);
    return this.levels[index];
  }

  /** Throws PARAMETER_MISMATCH unless `other` was made for the same parameters. */
  assertSame(fn: string, other: { readonly context: BfvContext }): void {
    const theirs = (other as { context?: unknown } | null)?.context;
    if (!(theirs instanceof BfvContext)) fail('INVALID_ARGUMENT', fn, 'an object of a BfvContext', other);
    if (theirs !== this && theirs.id !== this.id) fail('PARAMETER_MISMATCH', fn, `an object for parameters ${this.id}`, `one for ${theirs.id}`);
  }
}

/** Throws INVALID_ARGUMENT unless `context` is a BfvContext. */
export function assertContext(fn: string, context: unknown): asserts context is BfvContext {
  if (!(context instanceof BfvContext)) fail('INVALID_ARGUMENT', fn, 'a BfvContext', context);
}
