/**
 * The statistics and work splits of the alternating comparisons: quartiles
 * (lib/report.ts) against a brute-force oracle of their definition, and the
 * splits of work between node-seal threads (lib/seal-thread-client.ts) as
 * partitions of the work.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, quartiles, timeBatch } from '../lib/report.js';
import { splitRange, splitRoundRobin } from '../lib/seal-thread-client.js';

/** Type-7 quantile straight from its definition: the order statistic at (n − 1)·p, linearly interpolated. */
function oracle(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

describe('quartiles', () => {
  it('match the type-7 definition, are ordered, and the median is report.median', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }), (xs) => {
        const q = quartiles(xs);
        for (const [got, p] of [[q.q1, 0.25], [q.median, 0.5], [q.q3, 0.75]] as const) expect(got).toBeCloseTo(oracle(xs, p), 6);
        expect(q.q1).toBeLessThanOrEqual(q.median);
        expect(q.median).toBeLessThanOrEqual(q.q3);
        expect(q.median).toBeCloseTo(median(xs), 6);
      }),
    );
  });

  it('an edge case by hand: 1..5 gives 2, 3, 4; one value gives itself thrice; none throws', () => {
    expect(quartiles([5, 1, 4, 2, 3])).toEqual({ q1: 2, median: 3, q3: 4 });
    expect(quartiles([7])).toEqual({ q1: 7, median: 7, q3: 7 });
    expect(() => quartiles([])).toThrow(/at least one value/);
  });
});

describe('work splits between node-seal threads', () => {
  it('splitRange: contiguous ranges covering [0, count) exactly once, sizes within one of each other', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 16 }), (count, parts) => {
        const r = splitRange(count, parts);
        expect(r.length).toBe(Math.min(parts, count));
        expect(r[0].from).toBe(0);
        expect(r[r.length - 1].to).toBe(count);
        r.forEach((x, i) => i > 0 && expect(x.from).toBe(r[i - 1].to));
        const sizes = r.map((x) => x.to - x.from);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(Math.min(...sizes)).toBeGreaterThan(0);
      }),
    );
  });

  it('splitRoundRobin: every item in exactly one non-empty share, in order within a share', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (items, parts) => {
        const shares = splitRoundRobin(items, parts);
        expect(shares.length).toBe(Math.min(parts, items.length));
        expect(shares.every((s) => s.length > 0)).toBe(true);
        const back = items.map((_, j) => shares[j % shares.length][Math.floor(j / shares.length)]);
        expect(back).toEqual(items);
        expect(shares.flat().length).toBe(items.length);
      }),
    );
  });
});

describe('timeBatch', () => {
  it('calls the function reps times and reports per-call wall and CPU time', () => {
    let calls = 0;
    const t = timeBatch(() => {
      calls++;
      const end = performance.now() + 2;
      while (performance.now() < end); // busy: CPU time accrues with wall time
    }, 5);
    expect(calls).toBe(5);
    expect(t.wallMs).toBeGreaterThanOrEqual(2);
    expect(t.cpuMs).toBeGreaterThan(0);
  });
});
