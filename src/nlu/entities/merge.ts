/**
 * Overlap resolution across extractors.
 *
 * Rule, applied greedily over all candidates:
 *   1. the longer span wins (一百二十本 over 一百二十, 下午3点半 over 3);
 *   2. on equal length, the extractor earlier in `priority` wins
 *      (default regex > builtin > lookup > tagger > anything else, e.g. a model id);
 *   3. then the higher confidence (a price beats a number on the same span);
 *   4. then the earlier list, then the earlier position in its list (stable).
 * A candidate is kept when it overlaps none of the already kept ones; spans that only
 * touch (end === start) do not overlap. The output is sorted by start.
 */
import type { ExtractedEntity } from '../core/types';

export const DEFAULT_PRIORITY: readonly string[] = ['regex', 'builtin', 'lookup', 'tagger'];

export function mergeEntities(
  lists: readonly (readonly ExtractedEntity[])[],
  priority: readonly string[] = DEFAULT_PRIORITY,
): ExtractedEntity[] {
  const rank = (e: ExtractedEntity): number => {
    const i = priority.indexOf(e.extractor);
    return i === -1 ? priority.length : i;
  };
  const candidates: { e: ExtractedEntity; rank: number; order: number }[] = [];
  let order = 0;
  for (const list of lists) {
    for (const e of list) {
      if (e.end > e.start) candidates.push({ e, rank: rank(e), order: order++ });
    }
  }
  candidates.sort(
    (a, b) =>
      b.e.end - b.e.start - (a.e.end - a.e.start) ||
      a.rank - b.rank ||
      b.e.confidence - a.e.confidence ||
      a.order - b.order,
  );
  const kept: ExtractedEntity[] = [];
  for (const { e } of candidates) {
    if (kept.every((k) => e.end <= k.start || e.start >= k.end)) kept.push(e);
  }
  return kept.sort((a, b) => a.start - b.start);
}
