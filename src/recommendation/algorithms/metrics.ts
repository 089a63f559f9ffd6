/** Ranking metrics at k over users, each with a ranked list and the set of held-out items. */
export interface RankingMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  /** distinct recommended items / catalog size */
  coverage: number;
  users: number;
}

export function evaluateRankings(cases: { ranked: string[]; relevant: Set<string> }[], k: number, catalogSize: number): RankingMetrics {
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  const shown = new Set<string>();
  let users = 0;
  for (const { ranked, relevant } of cases) {
    if (relevant.size === 0) continue;
    users++;
    const top = ranked.slice(0, k);
    top.forEach((i) => shown.add(i));
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    top.forEach((item, r) => {
      if (!relevant.has(item)) return;
      hits++;
      dcg += 1 / Math.log2(r + 2);
      ap += hits / (r + 1);
    });
    const ideal = Math.min(k, relevant.size);
    let idcg = 0;
    for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
    precision += hits / k;
    recall += hits / relevant.size;
    ndcg += dcg / idcg;
    map += ap / ideal;
  }
  const d = Math.max(1, users);
  return { precision: precision / d, recall: recall / d, ndcg: ndcg / d, map: map / d, coverage: catalogSize ? shown.size / catalogSize : 0, users };
}
