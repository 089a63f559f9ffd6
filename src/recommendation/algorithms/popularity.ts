/** One item's weighted events in a time bucket (or one event). */
export interface PopularityRow {
  item: string;
  /** the events' summed weight (negative for dislikes) */
  weight: number;
  /** epoch ms */
  ts: number;
}

/**
 * Popularity with exponential time decay: score = sum of weight * 0.5^(age / halfLife).
 * Events from the future (clock skew) count as now. Items whose score is not positive are left out.
 */
export function decayedPopularity(rows: Iterable<PopularityRow>, now: number, halfLifeMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const age = Math.max(0, now - r.ts);
    const decay = halfLifeMs > 0 ? Math.pow(0.5, age / halfLifeMs) : 1;
    out.set(r.item, (out.get(r.item) ?? 0) + r.weight * decay);
  }
  for (const [item, s] of out) if (!(s > 0)) out.delete(item);
  return out;
}

/**
 * Decayed popularity kept up to date one event at a time. Each item holds
 * sum of weight * 2^((ts - ref) / halfLife) for a reference time `ref`; the score at `now` is
 * that times 2^(-(now - ref) / halfLife), the same factor for every item. So an event is one
 * addition, and `positive(now)` equals `decayedPopularity` over the same events. The reference
 * moves forward (every sum rescaled) before the factors could overflow.
 */
export class DecayedSums {
  private readonly sums = new Map<string, number>();

  constructor(
    private readonly halfLifeMs: number,
    private ref: number,
  ) {}

  /** `ts` should not be in the future (callers cap it at now: future events count as now). */
  add(item: string, weight: number, ts: number): void {
    if (this.halfLifeMs > 0 && (ts - this.ref) / this.halfLifeMs > 512) this.rebase(ts);
    const f = this.halfLifeMs > 0 ? Math.pow(2, (ts - this.ref) / this.halfLifeMs) : 1;
    this.sums.set(item, (this.sums.get(item) ?? 0) + weight * f);
  }

  /** Scores at `now` of the items whose score is positive. */
  positive(now: number): Map<string, number> {
    const f = this.halfLifeMs > 0 ? Math.pow(2, -(now - this.ref) / this.halfLifeMs) : 1;
    const out = new Map<string, number>();
    for (const [item, s] of this.sums) if (s * f > 0) out.set(item, s * f);
    return out;
  }

  private rebase(ref: number): void {
    const f = Math.pow(2, -(ref - this.ref) / this.halfLifeMs);
    for (const [item, s] of this.sums) this.sums.set(item, s * f);
    this.ref = ref;
  }
}
