/**
 * Plaintexts and ciphertexts.
 * A Plaintext is a polynomial mod t (N residues in the kernel's storage); it has
 * no level. A Ciphertext is a list of ≥ 2 polynomials over its level's data base,
 * kept in coefficient form between operations (as SEAL does for BFV), so that
 * scalar products, additions and modulus switching need no transforms.
 *
 * Validation: the constructors check the structure (context, level, sizes,
 * bases, representation) and a plaintext's coefficients (each in [0, t), so a
 * value ≥ t can never be encrypted as something else). A ciphertext's residues
 * are not scanned (that is O(size·L·N) on every internal allocation); objects
 * from untrusted bytes come through deserializeCiphertext, which checks every
 * residue. `assertWellFormed` re-checks the structure of a ciphertext whose
 * public fields may have been reassigned; every evaluator entry point calls it.
 */
import { assertContext, type BfvContext } from './context.js';
import { assertKeyId } from './key-id.js';
import { fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly } from './math/poly.js';

/** Storage known to hold valid residues (fresh zeros), so the constructor skips its range scan. */
const zeroed = new WeakSet<Residues>();

/** Index of the first coefficient outside [0, t), or −1. */
function firstOutOfRange(data: Residues, t: bigint): number {
  if (data instanceof Int32Array) {
    const tn = Number(t);
    for (let i = 0; i < data.length; i++) if (data[i] < 0 || data[i] >= tn) return i;
  } else {
    for (let i = 0; i < data.length; i++) if (data[i] >= t) return i;
  }
  return -1;
}

export class Plaintext {
  constructor(
    readonly context: BfvContext,
    readonly data: Residues,
  ) {
    assertContext('Plaintext', context);
    if (!context.kernel.owns(data) || data.length !== context.n)
      fail('LENGTH_MISMATCH', 'Plaintext', `${context.n} residues of kernel ${context.kernel.name}`, data);
    if (!zeroed.delete(data)) this.assertInRange('Plaintext');
  }

  static zero(context: BfvContext): Plaintext {
    assertContext('Plaintext.zero', context);
    const data = context.kernel.alloc(context.n);
    zeroed.add(data);
    return new Plaintext(context, data);
  }

  /** Throws PLAINTEXT_OUT_OF_RANGE unless every coefficient is in [0, t) (data is writable, so operations re-check). */
  assertInRange(fn: string): void {
    const bad = firstOutOfRange(this.data, this.context.t);
    if (bad >= 0) fail('PLAINTEXT_OUT_OF_RANGE', fn, `plaintext coefficients in [0, t = ${this.context.t})`, `${this.data[bad]} at index ${bad}`);
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

/** Largest ciphertext size accepted (products of products grow it; the serialized form stores it in one byte). */
export const MAX_CIPHERTEXT_SIZE = 255;

function assertSize(fn: string, size: unknown): asserts size is number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 2 || size > MAX_CIPHERTEXT_SIZE)
    fail('CIPHERTEXT_SIZE', fn, `a size in [2, ${MAX_CIPHERTEXT_SIZE}]`, size);
}

export class Ciphertext {
  /** When set, c1 was expanded from this seed (symmetric encryption) and can be stored as the seed. */
  seed: Uint8Array | undefined;
  /** The key id of the secret key this ciphertext decrypts under (undefined: unknown; key-id.ts). */
  keyId: string | undefined;

  constructor(
    readonly context: BfvContext,
    public level: number,
    public polys: RnsPoly[],
    keyId?: string,
  ) {
    assertContext('Ciphertext', context);
    this.assertWellFormed('Ciphertext');
    assertKeyId('Ciphertext', keyId);
    this.keyId = keyId;
  }

  /** A zero ciphertext (all polynomials zero: transparent, only for use as an output buffer). */
  static empty(context: BfvContext, level = 0, size = 2, shared = false): Ciphertext {
    const fn = 'Ciphertext.empty';
    assertContext(fn, context);
    assertSize(fn, size);
    const base = context.level(level).base;
    return new Ciphertext(context, level, Array.from({ length: size }, () => RnsPoly.zero(base, 'coeff', shared === true)));
  }

  /** Throws unless level, polynomials, bases, representation and key id fit together (fields are public and may have been reassigned). */
  assertWellFormed(fn: string): void {
    assertKeyId(fn, this.keyId);
    const base = this.context.level(this.level).base;
    const polys = this.polys;
    if (!Array.isArray(polys)) fail('INVALID_ARGUMENT', fn, 'a ciphertext whose polys is an array of RnsPoly', polys);
    assertSize(fn, polys.length);
    for (const p of polys) {
      if (!(p instanceof RnsPoly)) fail('INVALID_ARGUMENT', fn, 'ciphertext polynomials of type RnsPoly', p);
      if (!p.base.equals(base)) fail('MODULUS_MISMATCH', fn, `polynomials over level ${this.level}'s ${base.size} primes`, `${p.base.size} primes`);
      if (p.representation !== 'coeff') fail('REPRESENTATION_MISMATCH', fn, 'coefficient form', p.representation);
    }
  }

  get size(): number {
    // polys is public: a reassigned non-array reads as size 0 (assertWellFormed reports it).
    return Array.isArray(this.polys) ? this.polys.length : 0;
  }

  clone(): Ciphertext {
    const c = new Ciphertext(this.context, this.level, this.polys.map((p) => p.clone()), this.keyId);
    c.seed = this.seed;
    return c;
  }

  /** Makes this ciphertext have the given level and size, reusing storage when it fits. */
  reshape(level: number, size: number): this {
    assertSize('Ciphertext.reshape', size);
    const base = this.context.level(level).base;
    if (this.level !== level || !Array.isArray(this.polys) || !(this.polys[0] instanceof RnsPoly) || !this.polys[0].base.equals(base)) {
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
