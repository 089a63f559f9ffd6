/** From cross-encoder logits to a ranking. Plain TypeScript. */

export interface RankedDocument {
  /** position of the document in the request */
  index: number;
  /** sigmoid(logit), in (0, 1): what TEI, Jina and vLLM report as the relevance score */
  score: number;
  /** the model's raw logit */
  logit: number;
}

export const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * Documents by descending logit (ties keep request order, so a ranking is reproducible),
 * cut to `topN` when given.
 */
export function rankByLogit(logits: ArrayLike<number>, topN?: number): RankedDocument[] {
  const ranked = Array.from(logits, (logit, index) => ({ index, logit, score: sigmoid(logit) }));
  ranked.sort((a, b) => b.logit - a.logit || a.index - b.index);
  return topN === undefined ? ranked : ranked.slice(0, topN);
}
