/**
 * Plaintexts and ciphertexts.
 * A Plaintext is a polynomial mod t (N residues in the kernel's storage); it has
 * no level. A Ciphertext is a list of ≥ 2 polynomials over its level's data base,
 * kept in coefficient form between operations (as SEAL does for BFV), so that
 * scalar products, additions and modulus switching need no transforms.
 */
import type { BfvContext } from './context.js';
import { fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly } from './math/poly.js';

export class Plaintext {
  constructor(
    readonly context: BfvContext,
    readonly data: Residues,
  ) {
    if (!context.kernel.owns(data) || data.length !== context.n)
      fail('LENGTH_MISMATCH', 'Plaintext', `${context.n} residues of kernel ${context.kernel.name}`, data);
  }

  static zero(context: BfvContext): Plaintext {
    return new Plaintext(context, context.kernel.alloc(context.n));
  }

  isZero(): boolean {
    for (let i = 0; i < this.data.length; i++) if (this.data[i] != 0) return false;
    return true;
  }

  /** Coefficients in [0, t). */
  coefficients(): bigint[] {
    return this.context.plainOps.toBigInts(this.data);
  }
}

export class Ciphertext {
  /** When set, c1 was expanded from this seed (symmetric encryption) and can be stored as the seed. */
  seed: Uint8Array | undefined;

  constructor(
    readonly context: BfvContext,
    public level: number,
    public polys: RnsPoly[],
  ) {
    const base = context.level(level).base;
    if (polys.length < 2) fail('CIPHERTEXT_SIZE', 'Ciphertext', 'at least 2 polynomials', polys.length);
    for (const p of polys) {
      if (!p.base.equals(base)) fail('MODULUS_MISMATCH', 'Ciphertext', `polynomials over level ${level}'s ${base.size} primes`, p.base.size);
      if (p.representation !== 'coeff') fail('REPRESENTATION_MISMATCH', 'Ciphertext', 'coefficient form', p.representation);
    }
  }

  /** A zero ciphertext (all polynomials zero: transparent, only for use as an output buffer). */
  static empty(context: BfvContext, level = 0, size = 2, shared = false): Ciphertext {
    const base = context.level(level).base;
    return new Ciphertext(context, level, Array.from({ length: size }, () => RnsPoly.zero(base, 'coeff', shared)));
  }

  get size(): number {
    return this.polys.length;
  }

  clone(): Ciphertext {
    const c = new Ciphertext(this.context, this.level, this.polys.map((p) => p.clone()));
    c.seed = this.seed;
    return c;
  }

  /** Makes this ciphertext have the given level and size, reusing storage when it fits. */
  reshape(level: number, size: number): this {
    const base = this.context.level(level).base;
    if (this.level !== level || !this.polys[0].base.equals(base)) {
      this.polys = Array.from({ length: size }, () => RnsPoly.zero(base, 'coeff'));
    } else {
      while (this.polys.length < size) this.polys.push(RnsPoly.zero(base, 'coeff'));
      this.polys.length = size;
    }
    this.level = level;
    this.seed = undefined;
    return this;
  }

  /** True when every component but c0 is zero: such a ciphertext reveals its plaintext. */
  isTransparent(): boolean {
    for (let k = 1; k < this.polys.length; k++) {
      const d = this.polys[k].data;
      for (let i = 0; i < d.length; i++) if (d[i] != 0) return false;
    }
    return true;
  }
}
