/**
 * Partial selection over a vocabulary-sized row. Sampling needs the few best tokens,
 * never a full order: sorting 50k logits per step per sequence costs milliseconds,
 * these cost one or two linear passes. Ties break towards the lower token id, so
 * results never depend on the order candidates happen to sit in.
 */

/** `a` ranks before `b` by key (descending), then by token id (ascending). */
function before(keyA: number, idA: number, keyB: number, idB: number): boolean {
  return keyA > keyB || (keyA === keyB && idA < idB);
}

/**
 * Reorders `ids[0..n)` (with `keys[0..n)` moved alongside) so its first `k` entries are
 * the k best by key; they are left unordered. Expected O(n) (quickselect with a
 * median-of-three pivot, which needs no random numbers: the sampler's stream stays
 * one draw per step).
 */
export function selectTop(ids: Int32Array, keys: Float64Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const p = partition(ids, keys, lo, hi);
    if (p === k - 1 || p === k) return;
    if (p < k) lo = p + 1;
    else hi = p - 1;
  }
}

/**
 * Reorders `ids[0..n)` so that its first m entries are the smallest best-ranked set
 * whose weights sum to at least `target` (HF/vLLM top-p: a token is kept when the mass
 * ranked strictly before it is below the target). Returns m, at least 1. Expected O(n):
 * a quickselect that steers by mass instead of by count.
 */
export function selectMass(ids: Int32Array, keys: Float64Array, n: number, target: number): number {
  let lo = 0;
  let hi = n - 1;
  let acc = 0; // mass of ids[0..lo), all already known to be kept
  while (lo <= hi) {
    if (lo === hi) return lo + 1;
    const p = partition(ids, keys, lo, hi);
    let left = 0;
    for (let i = lo; i < p; i++) left += keys[i];
    if (acc + left >= target) {
      // The cut falls inside the better part; the pivot and everything after it go.
      hi = p - 1;
      if (lo > hi) return Math.max(1, lo);
    } else if (acc + left + keys[p] >= target) {
      return p + 1;
    } else {
      acc += left + keys[p];
      lo = p + 1;
    }
  }
  return Math.max(1, lo);
}

/** Lomuto partition of [lo, hi] around a median-of-three pivot; returns the pivot's final index. */
function partition(ids: Int32Array, keys: Float64Array, lo: number, hi: number): number {
  const mid = lo + ((hi - lo) >> 1);
  // Order lo, mid, hi so the median sits at mid, then park it at hi.
  if (before(keys[mid], ids[mid], keys[lo], ids[lo])) swap(ids, keys, mid, lo);
  if (before(keys[hi], ids[hi], keys[lo], ids[lo])) swap(ids, keys, hi, lo);
  if (before(keys[hi], ids[hi], keys[mid], ids[mid])) swap(ids, keys, hi, mid);
  swap(ids, keys, mid, hi);
  const pk = keys[hi];
  const pid = ids[hi];
  let store = lo;
  for (let i = lo; i < hi; i++) {
    if (before(keys[i], ids[i], pk, pid)) {
      if (i !== store) swap(ids, keys, i, store);
      store++;
    }
  }
  swap(ids, keys, store, hi);
  return store;
}

function swap(ids: Int32Array, keys: Float64Array, i: number, j: number): void {
  const t = ids[i];
  ids[i] = ids[j];
  ids[j] = t;
  const u = keys[i];
  keys[i] = keys[j];
  keys[j] = u;
}

/**
 * Writes the `n` best entries of `values[0..count)` (indexed by token id), best first,
 * into outIds/outKeys; returns how many were written (min(n, count)). One pass with a
 * small sorted buffer: for small n nearly every element is rejected by one comparison,
 * which beats quickselect's full passes for top logprobs and small top_k.
 */
export function topNInto(values: Float32Array, count: number, n: number, outIds: Int32Array, outKeys: Float64Array): number {
  let len = 0;
  for (let id = 0; id < count; id++) {
    const v = values[id];
    if (len === n && !before(v, id, outKeys[len - 1], outIds[len - 1])) continue;
    let pos = len === n ? len - 1 : len++;
    while (pos > 0 && before(v, id, outKeys[pos - 1], outIds[pos - 1])) {
      outKeys[pos] = outKeys[pos - 1];
      outIds[pos] = outIds[pos - 1];
      pos--;
    }
    outKeys[pos] = v;
    outIds[pos] = id;
  }
  return len;
}

const rowIds = new Int32Array(64);
const rowKeys = new Float64Array(64);

/** The `n` (<= 64) best tokens of a logits row, best first (top logprobs). */
export function topOfRow(row: Float32Array, count: number, n: number): { ids: number[]; values: number[] } {
  const len = topNInto(row, count, Math.min(n, rowIds.length), rowIds, rowKeys);
  return { ids: Array.from(rowIds.subarray(0, len)), values: Array.from(rowKeys.subarray(0, len)) };
}

/** The `n` best of the candidates ids/keys[0..count), best first. */
export function topOfCandidates(ids: Int32Array, keys: Float64Array, count: number, n: number): { ids: number[]; values: number[] } {
  const bestIds: number[] = [];
  const bestValues: number[] = [];
  for (let i = 0; i < count && n > 0; i++) {
    const id = ids[i];
    const v = keys[i];
    const len = bestIds.length;
    if (len === n && !before(v, id, bestValues[len - 1], bestIds[len - 1])) continue;
    let pos = len === n ? len - 1 : len;
    while (pos > 0 && before(v, id, bestValues[pos - 1], bestIds[pos - 1])) {
      bestValues[pos] = bestValues[pos - 1];
      bestIds[pos] = bestIds[pos - 1];
      pos--;
    }
    bestValues[pos] = v;
    bestIds[pos] = id;
  }
  return { ids: bestIds, values: bestValues };
}
