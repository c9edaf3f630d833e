/**
 * Two residues per 64-bit word (SIMD within a register) for the elementwise
 * add and sub of the `u32` kernel.
 *
 * Why: V8 does not vectorise typed-array loops, and an Int32Array add with a
 * branch-free correction costs ≈1.1 ns per element on our machines. V8 (Node 20)
 * lowers BigInt arithmetic on BigUint64Array elements to machine words when
 * every result is truncated with `BigInt.asUintN(64, …)` and every constant fits
 * in 63 bits; then one word carries two 32-bit lanes and the loop costs ≈0.75 ns
 * per element. Measured on Node 20.20, see benchmarks/results/ops-vs-seal.json.
 *
 * Lanes: the Int32Array elements 2i (low half) and 2i+1 (high half) of the same
 * limb, so both lanes share the modulus q. The conditional subtraction of q is
 * done per lane without a compare:
 *   1. s = x + y                 each lane < 2q < 2^30: no carry into the next lane
 *   2. u = s + (2^31 − q)        each lane < 2^32, and bit 31 of a lane is set
 *                                exactly when s_lane ≥ q
 *   3. m = (u >> 31) & (2^32+1)  1 in each lane that must be reduced
 *   4. s − m·q                   m·q is q or 0 per lane, never above s_lane
 * Reference: H. G. Dietz, "SWAR: SIMD within a register" (Aggregate Magic).
 *
 * Contract (both functions): q < 2^29 (the u32 word limit), x, y in [0, q),
 * all three arrays of the same even length with byteOffset ≡ 0 (mod 8);
 * output in [0, q). Aliasing out with x or y is allowed (strictly elementwise).
 * Callers check `swarAligned` first and fall back to the scalar loop otherwise.
 */

const LANES = 0x1_0000_0001n;

/** Whether the three arrays can be viewed as 64-bit words. */
export function swarAligned(x: Int32Array, y: Int32Array, out: Int32Array): boolean {
  return (x.length & 1) === 0 && ((x.byteOffset | y.byteOffset | out.byteOffset) & 7) === 0;
}

function words(a: Int32Array): BigUint64Array {
  return new BigUint64Array(a.buffer, a.byteOffset, a.length >>> 1);
}

/** out = x + y mod q, lane by lane. Output in [0, q). */
export function addModSwar(x: Int32Array, y: Int32Array, out: Int32Array, q: number): void {
  const a = words(x), b = words(y), o = words(out);
  const qLanes = BigInt(q), threshold = BigInt(2 ** 31 - q) * LANES;
  for (let i = 0; i < a.length; i++) {
    const s = BigInt.asUintN(64, a[i] + b[i]); // step 1
    const m = (BigInt.asUintN(64, s + threshold) >> 31n) & LANES; // steps 2–3
    o[i] = BigInt.asUintN(64, s - m * qLanes); // step 4
  }
}

/** out = x − y mod q, lane by lane: x + q − y lies in [1, 2q), then as in add. Output in [0, q). */
export function subModSwar(x: Int32Array, y: Int32Array, out: Int32Array, q: number): void {
  const a = words(x), b = words(y), o = words(out);
  const qLanes = BigInt(q), qBoth = BigInt(q) * LANES, threshold = BigInt(2 ** 31 - q) * LANES;
  for (let i = 0; i < a.length; i++) {
    const s = BigInt.asUintN(64, a[i] + qBoth - b[i]); // step 1 (no lane borrows: x + q > y)
    const m = (BigInt.asUintN(64, s + threshold) >> 31n) & LANES;
    o[i] = BigInt.asUintN(64, s - m * qLanes);
  }
}
