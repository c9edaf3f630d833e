/**
 * Hoisted rotations (one decomposition, many Galois elements) and prepared
 * linear transforms (baby-step/giant-step diagonals with lazy ModDown) against
 * their references: one-by-one rotations of the same ciphertext, and slotwise
 * arithmetic mod t on plain vectors (galoisSlotsReference / linearTransformReference).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, Ciphertext, GaloisKeys, LinearTransform, deserializeGaloisKeys, deserializeRelinKeys, galoisElementForStep, serializeGaloisKeys, serializeRelinKeys, serializedGaloisKeysLength } from '@qhe/bfv';
import {
  arbSlots,
  cachedKeys,
  catchQheError,
  decryptSlots,
  galoisSlotsReference,
  linearTransformReference,
  rotateColumnsReference,
  rotateRowsReference,
  smallParameters,
  type LinearTransformReferenceTerm,
} from '@qhe/bfv/testing';

const STEPS = [3, 5, -1, 17, 100, -300];
// Power-of-two keys as well, so that steps without their own key compose (rotateRowsMany falls back to rotateRows).
const POWERS = [1, 2, 4, 8, 16, 32, 64, 128, 256].flatMap((s) => [s, -s]);

for (const kernel of ['u32', 'u64'] as const) {
  describe(`hoisted rotations (${kernel})`, () => {
    const ctx = new BfvContext(smallParameters(kernel, { primes: 4 }));
    const n = ctx.n, t = ctx.t;
    const runs = kernel === 'u32' ? 5 : 1;
    const keys = cachedKeys(ctx, { galoisSteps: [...new Set([...STEPS, ...POWERS, 0])] });
    const arbSteps = fc.array(fc.oneof(fc.constantFrom(...STEPS, 0), fc.integer({ min: -(n / 2 - 1), max: n / 2 - 1 })), { minLength: 1, maxLength: kernel === 'u32' ? 5 : 3 });

    it('rotateRowsMany decrypts like rotateRows one by one (hoisted, composed and zero steps), at every level', () => {
      fc.assert(
        fc.property(arbSlots(ctx), arbSteps, fc.integer({ min: 0, max: ctx.maxLevel }), (x, steps, level) => {
          const ct = keys.evaluator.modSwitchTo(keys.encryptor.encrypt(keys.encoder.encode(x)), level);
          const many = keys.evaluator.rotateRowsMany(ct, steps, keys.galoisKeys);
          expect(many).toHaveLength(steps.length);
          steps.forEach((s, i) => {
            expect(many[i].level).toBe(level);
            const one = keys.evaluator.rotateRows(ct, s, keys.galoisKeys);
            expect(decryptSlots(keys, many[i])).toEqual(rotateRowsReference(x, s));
            expect(decryptSlots(keys, one)).toEqual(decryptSlots(keys, many[i]));
            // Same key switch, another digit representative: noise within a bit of each other.
            expect(Math.abs(keys.decryptor.invariantNoiseBudget(many[i]) - keys.decryptor.invariantNoiseBudget(one))).toBeLessThanOrEqual(1);
          });
        }),
        { numRuns: runs },
      );
    });

    it('applyGaloisMany: identity, row swap and composed elements; outputs may alias the input', () => {
      const swap = 2 * n - 1;
      const g5 = galoisElementForStep(n, 5);
      const elts = [1, swap, g5];
      const k = cachedKeys(ctx, { galoisSteps: [0, 5] });
      fc.assert(
        fc.property(arbSlots(ctx), (x) => {
          const ct = k.encryptor.encrypt(k.encoder.encode(x));
          const outs = k.evaluator.applyGaloisMany(ct, elts, k.galoisKeys);
          expect(decryptSlots(k, outs[0])).toEqual(x);
          expect(decryptSlots(k, outs[1])).toEqual(rotateColumnsReference(x));
          expect(decryptSlots(k, outs[2])).toEqual(rotateRowsReference(x, 5));
          expect(galoisSlotsReference(x, g5)).toEqual(rotateRowsReference(x, 5));
          expect(galoisSlotsReference(x, swap)).toEqual(rotateColumnsReference(x));
          // In place: the input is one of the outputs.
          const copy = ct.clone();
          const other = Ciphertext.empty(ctx);
          k.evaluator.applyGaloisManyInto(copy, [g5, 1], k.galoisKeys, [copy, other]);
          expect(decryptSlots(k, copy)).toEqual(rotateRowsReference(x, 5));
          expect(decryptSlots(k, other)).toEqual(x);
        }),
        { numRuns: 2 },
      );
    });

    it('typed errors: missing key, bad element, size-3 input, output count', () => {
      const ct = keys.encryptor.encrypt(keys.encoder.encode([1n, 2n]));
      expect(catchQheError(() => keys.evaluator.applyGaloisMany(ct, [galoisElementForStep(n, 7)], keys.galoisKeys)).code).toBe('MISSING_KEY');
      expect(catchQheError(() => keys.evaluator.applyGaloisMany(ct, [4], keys.galoisKeys)).code).toBe('INVALID_ARGUMENT');
      expect(catchQheError(() => keys.evaluator.rotateRowsMany(ct, [n / 2], keys.galoisKeys)).code).toBe('INVALID_ARGUMENT');
      expect(catchQheError(() => keys.evaluator.rotateRowsMany(keys.evaluator.square(ct), [1], keys.galoisKeys)).code).toBe('CIPHERTEXT_SIZE');
      expect(catchQheError(() => keys.evaluator.rotateRowsManyInto(ct, [1, 2], keys.galoisKeys, [Ciphertext.empty(ctx)])).code).toBe('LENGTH_MISMATCH');
      expect(t).toBeGreaterThan(0n);
    });
  });
}

describe('linear transforms', () => {
  const ctx = new BfvContext(smallParameters('u32', { primes: 4 }));
  const n = ctx.n, t = ctx.t, half = n / 2;
  const steps = [1, 2, 3, 8, 16, -24];
  const keys = cachedKeys(ctx, { galoisSteps: [...steps, 0] });
  const elements = [1, 2 * n - 1, ...steps.map((s) => galoisElementForStep(n, s))];
  const arbTerm = (inputs: number): fc.Arbitrary<LinearTransformReferenceTerm> =>
    fc.record({
      input: fc.integer({ min: 0, max: inputs - 1 }),
      baby: fc.constantFrom(...elements),
      giant: fc.constantFrom(...elements),
      diagonal: fc.oneof(arbSlots(ctx), fc.bigInt({ min: -5n, max: 5n }), arbSlots(ctx, { minLength: 1 })),
    });
  const prepare = (terms: readonly LinearTransformReferenceTerm[], inputs: number, level: number): LinearTransform =>
    LinearTransform.create(ctx, {
      level,
      inputs,
      terms: terms.map((term) => ({ ...term, diagonal: typeof term.diagonal === 'bigint' ? term.diagonal : keys.encoder.encode(term.diagonal) })),
    });

  it('Σ_g σ_g(Σ D ⊙ σ_b(x_j)) equals the slotwise reference (random terms, 1–3 inputs, every level)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((inputs) =>
          fc.tuple(fc.constant(inputs), fc.array(arbSlots(ctx), { minLength: inputs, maxLength: inputs }), fc.array(arbTerm(inputs), { minLength: 1, maxLength: 7 })),
        ),
        fc.integer({ min: 0, max: 2 }),
        ([inputs, xs, terms], level) => {
          const cts = xs.map((x) => keys.evaluator.modSwitchTo(keys.encryptor.encrypt(keys.encoder.encode(x)), level));
          const lt = prepare(terms, inputs, level);
          const expected = linearTransformReference(terms, xs, t);
          if (expected.every((v) => v === 0n) && terms.every((x) => x.diagonal === 0n)) return;
          const out = keys.evaluator.linearTransform(cts, lt, keys.galoisKeys);
          expect(out.level).toBe(level);
          expect(decryptSlots(keys, out)).toEqual(expected);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a baby-step/giant-step matrix–vector product (diagonal method) equals the plain product', () => {
    // y = M·x for a random 16×16 block replicated along the row; diagonals d_k(i) = M[i][(i+k) mod 16], k = g·4 + b.
    const m = 16, B = 4;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: m * m, maxLength: m * m }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: m, maxLength: m }), (M, xv) => {
        const x = Array.from({ length: n }, (_, s) => BigInt(xv[s % m]));
        const eltOf = (k: number): number => (k === 0 ? 1 : galoisElementForStep(n, k));
        const bsgsKeys = cachedKeys(ctx, { galoisSteps: [1, 2, 3, 4, 8, 12] });
        const terms: LinearTransformReferenceTerm[] = [];
        for (let g = 0; g < m / B; g++) for (let b = 0; b < B; b++) {
          const k = g * B + b;
          const d = Array.from({ length: n }, (_, s) => BigInt(M[(s % m) * m + ((s + k) % m)]));
          // Pre-rotate by −g·B so that σ_g applied after the product lines up.
          const pre = rotateRowsReference(d, -g * B).map((v) => ((v % t) + t) % t);
          terms.push({ input: 0, baby: eltOf(b), giant: eltOf(g * B), diagonal: pre });
        }
        const lt = LinearTransform.create(ctx, { level: 0, inputs: 1, terms: terms.map((x) => ({ ...x, diagonal: bsgsKeys.encoder.encode(x.diagonal as bigint[]) })) });
        expect(lt.babyCount).toBe(B - 1);
        expect(lt.giantCount).toBe(m / B - 1);
        const out = bsgsKeys.evaluator.linearTransform([bsgsKeys.encryptor.encrypt(bsgsKeys.encoder.encode(x))], lt, bsgsKeys.galoisKeys);
        const got = decryptSlots(bsgsKeys, out);
        for (let s = 0; s < half; s += 97) {
          let y = 0n;
          for (let j = 0; j < m; j++) y += BigInt(M[(s % m) * m + j]) * BigInt(xv[j]);
          expect(got[s]).toBe(((y % t) + t) % t);
        }
      }),
      { numRuns: 3 },
    );
  });

  it('typed errors: level, input count, missing keys, malformed terms', () => {
    const pt = keys.encoder.encode([1n]);
    const lt = LinearTransform.create(ctx, { level: 1, inputs: 1, terms: [{ input: 0, baby: galoisElementForStep(n, 5), giant: 1, diagonal: pt }] });
    const ct = keys.encryptor.encrypt(pt);
    expect(catchQheError(() => keys.evaluator.linearTransform([ct], lt, keys.galoisKeys)).code).toBe('PARAMETER_MISMATCH');
    expect(catchQheError(() => keys.evaluator.linearTransform([], lt, keys.galoisKeys)).code).toBe('LENGTH_MISMATCH');
    expect(catchQheError(() => keys.evaluator.linearTransform([keys.evaluator.modSwitchToNext(ct)], lt, keys.galoisKeys)).code).toBe('MISSING_KEY');
    expect(catchQheError(() => keys.evaluator.linearTransform([keys.evaluator.modSwitchToNext(ct)], lt, null)).code).toBe('MISSING_KEY');
    expect(catchQheError(() => LinearTransform.create(ctx, { level: 0, inputs: 1, terms: [{ input: 1, baby: 1, giant: 1, diagonal: 1n }] })).code).toBe('INVALID_ARGUMENT');
    expect(catchQheError(() => LinearTransform.create(ctx, { level: 0, inputs: 1, terms: [{ input: 0, baby: 2, giant: 1, diagonal: 1n }] })).code).toBe('INVALID_ARGUMENT');
    expect(catchQheError(() => LinearTransform.create(ctx, { level: 0, inputs: 1, terms: [{ input: 0, baby: 1, giant: 1, diagonal: 1.5 }] })).code).toBe('INVALID_ARGUMENT');
    expect(catchQheError(() => LinearTransform.create(ctx, { level: 9, inputs: 1, terms: [{ input: 0, baby: 1, giant: 1, diagonal: 1n }] })).code).toBe('LEVEL_EXHAUSTED');
  });
});

describe('Galois keys for chosen steps', () => {
  it('createGaloisKeys accepts a plain list of steps; serializedGaloisKeysLength is the serialized size', () => {
    const ctx = new BfvContext(smallParameters('u32', { primes: 2 }));
    const k = cachedKeys(ctx);
    const gk = k.keygen.createGaloisKeys([3, -7, 0]);
    expect([...gk.keys.keys()].sort((a, b) => a - b)).toEqual([galoisElementForStep(ctx.n, 3), galoisElementForStep(ctx.n, -7), 2 * ctx.n - 1].sort((a, b) => a - b));
    expect(serializedGaloisKeysLength(gk)).toBe(serializeGaloisKeys(gk).byteLength);
    expect(catchQheError(() => k.keygen.createGaloisKeys({ steps: 3 as never })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('keys made for a level (KSwitchKey.level)', () => {
  const ctx = new BfvContext(smallParameters('u32', { primes: 4 }));
  const n = ctx.n;
  const k = cachedKeys(ctx);

  it('rotate and relinearize at that level and below, decrypt like full keys; above it MISSING_KEY', () => {
    fc.assert(
      fc.property(arbSlots(ctx), fc.integer({ min: 1, max: ctx.maxLevel }), fc.constantFrom(3, -5, 0), (x, keyLevel, step) => {
        const gk = k.keygen.createGaloisKeys({ steps: [step], level: keyLevel });
        const key = [...gk.keys.values()][0];
        expect(key.level).toBe(keyLevel);
        expect(key.digits).toHaveLength(ctx.level(keyLevel).digits.length);
        const ct = k.encryptor.encrypt(k.encoder.encode(x));
        const g = step === 0 ? 2 * n - 1 : galoisElementForStep(n, step);
        for (let level = keyLevel; level <= ctx.maxLevel; level++) {
          const at = k.evaluator.modSwitchTo(ct, level);
          expect(decryptSlots(k, k.evaluator.applyGalois(at, g, gk))).toEqual(galoisSlotsReference(x, g));
          expect(decryptSlots(k, k.evaluator.applyGaloisMany(at, [g, 1], gk)[0])).toEqual(galoisSlotsReference(x, g));
        }
        expect(catchQheError(() => k.evaluator.applyGalois(k.evaluator.modSwitchTo(ct, keyLevel - 1), g, gk)).code).toBe('MISSING_KEY');
      }),
      { numRuns: 3 },
    );
    const rk = k.keygen.createRelinKeys({ level: 2 });
    const ct = k.evaluator.modSwitchTo(k.encryptor.encrypt(k.encoder.encode([3n, 4n])), 2);
    expect(decryptSlots(k, k.evaluator.relinearize(k.evaluator.square(ct), rk)).slice(0, 2)).toEqual([9n, 16n]);
    expect(catchQheError(() => k.evaluator.relinearize(k.evaluator.square(k.evaluator.modSwitchTo(ct, 2)), k.keygen.createRelinKeys({ level: 3 }))).code).toBe('MISSING_KEY');
  });

  it('serialize with their level (level-0 keys byte-identical to before), lengths exact and smaller', () => {
    const full = k.keygen.createGaloisKeys([1]);
    const mixed = new GaloisKeys(ctx, new Map([
      ...full.keys,
      ...k.keygen.createGaloisKeys({ steps: [2], level: 1 }).keys,
      ...k.keygen.createGaloisKeys({ steps: [0], level: 3 }).keys,
    ]));
    const bytes = serializeGaloisKeys(mixed);
    expect(serializedGaloisKeysLength(mixed)).toBe(bytes.byteLength);
    expect(serializedGaloisKeysLength(full)).toBe(serializeGaloisKeys(full).byteLength);
    const back = deserializeGaloisKeys(ctx, bytes);
    expect([...back.keys].map(([g, key]) => [g, key.level])).toEqual([...mixed.keys].map(([g, key]) => [g, key.level]));
    expect(serializeGaloisKeys(back)).toEqual(bytes);
    const oneFull = serializedGaloisKeysLength(full);
    const oneLast = serializedGaloisKeysLength(k.keygen.createGaloisKeys({ steps: [1], level: ctx.maxLevel }));
    expect(oneLast).toBeLessThan(oneFull / 4);
    const rk = k.keygen.createRelinKeys({ level: 2 });
    expect(deserializeRelinKeys(ctx, serializeRelinKeys(rk)).key.level).toBe(2);
    expect(catchQheError(() => k.keygen.createGaloisKeys({ steps: [1], level: ctx.maxLevel + 1 })).code).toBe('LEVEL_EXHAUSTED');
  });
});
