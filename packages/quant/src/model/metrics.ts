/**
 * What the medical-imaging papers report for a binary classifier (MedMNIST v2,
 * Yang et al. 2023, report ACC and AUC; Baruch et al. 2021 add F1): accuracy,
 * ROC AUC and F1 of the positive class (label 1, e.g. pneumonia).
 * Scores may be bigints (differences of integer logits exceed 2^53), so the
 * AUC ranks them exactly: AUC = P(score⁺ > score⁻) + ½·P(tie), the Mann–Whitney
 * U statistic over all positive/negative pairs, from one sort.
 */
import { fail } from './errors.js';

export interface BinaryMetrics {
  readonly count: number;
  readonly accuracy: number;
  readonly auc: number;
  /** F1 of class 1: 2·TP / (2·TP + FP + FN). */
  readonly f1: number;
  /** Recall of class 1 (TP / (TP + FN)). */
  readonly sensitivity: number;
  /** Recall of class 0 (TN / (TN + FP)). */
  readonly specificity: number;
  readonly confusion: { readonly tp: number; readonly fp: number; readonly tn: number; readonly fn: number };
}

/**
 * Metrics of scores s_i (higher = more likely class 1) against labels in {0, 1}.
 * The predicted class is 1 iff s_i > 0 — the argmax of two logits with ties to
 * class 0 when s_i = logit₁ − logit₀.
 */
export function binaryMetrics(scores: readonly (number | bigint)[], labels: ArrayLike<number>): BinaryMetrics {
  const n = scores.length;
  if (n === 0 || labels.length !== n) fail('INVALID_ARGUMENT', 'binaryMetrics', `as many labels as scores (≥ 1)`, `${n} scores, ${labels.length} labels`);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) fail('INVALID_ARGUMENT', `binaryMetrics(labels[${i}])`, '0 or 1', y);
    const p = scores[i] > 0;
    if (p && y === 1) tp++; else if (p) fp++; else if (y === 1) fn++; else tn++;
  }
  return {
    count: n,
    accuracy: (tp + tn) / n,
    auc: rocAuc(scores, labels),
    f1: tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn),
    sensitivity: tp + fn === 0 ? 0 : tp / (tp + fn),
    specificity: tn + fp === 0 ? 0 : tn / (tn + fp),
    confusion: { tp, fp, tn, fn },
  };
}

/** ROC AUC by ranks (ties count ½); NaN when one class is absent. */
export function rocAuc(scores: readonly (number | bigint)[], labels: ArrayLike<number>): number {
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : 0));
  let pos = 0, neg = 0, u = 0;
  // Walk groups of equal scores: each positive beats the negatives below the group and ties with those inside.
  let negBelow = 0;
  for (let i = 0; i < order.length;) {
    let j = i, gp = 0, gn = 0;
    while (j < order.length && scores[order[j]] === scores[order[i]]) { if (labels[order[j]] === 1) gp++; else gn++; j++; }
    u += gp * negBelow + 0.5 * gp * gn;
    negBelow += gn; pos += gp; neg += gn;
    i = j;
  }
  return pos === 0 || neg === 0 ? NaN : u / (pos * neg);
}
