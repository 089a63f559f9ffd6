import { EventAggregate, EventType, EventWeights } from './types';

/** The weight of `count` events of `type` (ratings: their summed values). */
export function eventWeight(type: EventType, count: number, valueSum: number, w: EventWeights): number {
  if (type === 'rating') return (w.rating * valueSum) / w.ratingScale;
  return w[type] * count;
}

/** Net weight per (user, item), saturated to [-1, 1], with the latest time: the interaction matrix's cells. */
export function netInteractions(rows: EventAggregate[], w: EventWeights): Map<string, Map<string, { value: number; ts: number }>> {
  const raw = new Map<string, Map<string, { sum: number; ts: number }>>();
  for (const r of rows) {
    const byItem = raw.get(r.userId) ?? new Map<string, { sum: number; ts: number }>();
    raw.set(r.userId, byItem);
    const cell = byItem.get(r.itemId) ?? { sum: 0, ts: 0 };
    cell.sum += eventWeight(r.type, r.count, r.valueSum, w);
    cell.ts = Math.max(cell.ts, r.lastTs);
    byItem.set(r.itemId, cell);
  }
  const out = new Map<string, Map<string, { value: number; ts: number }>>();
  for (const [user, byItem] of raw) {
    const cells = new Map<string, { value: number; ts: number }>();
    for (const [item, c] of byItem) cells.set(item, { value: saturate(c.sum, w.saturation), ts: c.ts });
    out.set(user, cells);
  }
  return out;
}

export function saturate(sum: number, saturation: number): number {
  return Math.max(-1, Math.min(1, sum / saturation));
}
