/**
 * Packed layouts: where each feature of a tensor sits in the N slots of one
 * ciphertext (slots.ts for the slot algebra). Features are the model's flat HWC
 * indices, so `flatten` moves nothing. A slot holds a feature (≥ 0, possibly in
 * several slots: replication), ZERO (known to be 0) or JUNK (an unknown value
 * that no later product may read).
 *
 * Two kinds, as in LoLa (Brutzkus, Elisha, Gilad-Bachrach, ICML 2019, §4–5):
 * - windowed (β, w): blocks of β consecutive slots; block b holds a window of w
 *   features, feature g_b(q) at every local position v ≡ q (mod w). Rotating by
 *   r < w brings every window position under every local position o < β − w + 1,
 *   so a dense layer needs w rotations per block ("stacked" vectors; the client
 *   builds this layout, and a weight-shared first convolution produces it).
 * - replicated (β): feature f at every slot ≡ f (mod β) in both rows, β a power of
 *   two dividing N/2 — what a rotate-and-add reduction leaves behind; the
 *   hybrid diagonal method (Juvekar et al., GAZELLE, USENIX Security 2018, §5)
 *   consumes it.
 */

export const ZERO = -1;
export const JUNK = -2;

export interface Layout {
  readonly kind: 'windowed' | 'replicated';
  readonly n: number;
  /** Slot → feature, ZERO or JUNK. */
  readonly slots: Int32Array;
  readonly features: number;
  /** Block size (windowed) or period (replicated). */
  readonly block: number;
  /** Window w (windowed); equal to the period for replicated layouts. */
  readonly window: number;
  readonly note: string;
}

/** Windowed layout: slot b·β + v holds featureAt(b, v mod w) for every block b < N/β and v < β. */
export function windowedLayout(n: number, block: number, window: number, features: number, featureAt: (block: number, q: number) => number, note: string): Layout {
  const slots = new Int32Array(n).fill(ZERO);
  for (let b = 0; b < n / block; b++)
    for (let q = 0; q < window; q++) {
      const f = featureAt(b, q);
      if (f < 0) continue;
      for (let v = q; v < block; v += window) slots[b * block + v] = f;
    }
  return Object.freeze({ kind: 'windowed', n, slots, features, block, window, note });
}

/** Replicated layout: feature s mod β at every slot s (ZERO where s mod β ≥ features). */
export function replicatedLayout(n: number, period: number, features: number): Layout {
  const slots = new Int32Array(n);
  for (let s = 0; s < n; s++) slots[s] = s % period < features ? s % period : ZERO;
  return Object.freeze({ kind: 'replicated', n, slots, features, block: period, window: period, note: `replicated, period ${period} (${(n / period) | 0} copies)` });
}

/** The same layout with every ZERO slot turned to JUNK (after an op that may write there). */
export function withJunk(layout: Layout): Layout {
  return Object.freeze({ ...layout, slots: layout.slots.map((f) => (f === ZERO ? JUNK : f)) });
}

/** Feature → its first slot (−1 if the layout lacks it). */
export function firstSlots(layout: Layout): Int32Array {
  const out = new Int32Array(layout.features).fill(-1);
  for (let s = 0; s < layout.n; s++) {
    const f = layout.slots[s];
    if (f >= 0 && out[f] < 0) out[f] = s;
  }
  return out;
}

export function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}
