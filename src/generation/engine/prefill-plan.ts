/**
 * Which joining sequences are prefilled together. One model run per group instead of one
 * per sequence: the weights are read once per run (on CPU a decode-sized run of GPT-2
 * small is mostly that) and the batch's KV cache is re-laid out once per group. Prompts
 * in a group are left-padded to the longest, and padded tokens cost as much as real ones
 * (the logits of every position are computed), so groups hold prompts of similar length:
 * sorted by length, a group closes when padding would exceed `maxPaddingRatio` of its
 * real tokens plus `paddingSlack` per row, or its padded size would pass `tokenBudget`.
 */

export interface PrefillPlanLimits {
  /** most padded tokens (rows x longest prompt) in one prefill run; a longer prompt runs alone */
  tokenBudget: number;
  /** padding allowed, as a fraction of the group's real tokens */
  maxPaddingRatio: number;
  /** padding allowed per row on top of the ratio (short prompts pad cheaply in absolute terms) */
  paddingSlack: number;
}

export const DEFAULT_PREFILL_LIMITS: PrefillPlanLimits = { tokenBudget: 512, maxPaddingRatio: 0.25, paddingSlack: 4 };

/** Splits `items` into prefill groups; each group is ordered shortest first. */
export function planPrefill<T>(items: readonly T[], length: (item: T) => number, limits: PrefillPlanLimits = DEFAULT_PREFILL_LIMITS): T[][] {
  const sorted = items.map((item, i) => ({ item, len: length(item), i })).sort((a, b) => a.len - b.len || a.i - b.i);
  const groups: T[][] = [];
  let group: T[] = [];
  let real = 0;
  for (const { item, len } of sorted) {
    // Sorted ascending, so `len` is the longest prompt of the group if it joins.
    const rows = group.length + 1;
    const padded = rows * len;
    const fits = padded <= limits.tokenBudget && padded - (real + len) <= (real + len) * limits.maxPaddingRatio + rows * limits.paddingSlack;
    if (group.length && !fits) {
      groups.push(group);
      group = [];
      real = 0;
    }
    group.push(item);
    real += len;
  }
  if (group.length) groups.push(group);
  return groups;
}
