import { createSession, makeTensor, OrtSession } from '../../inference/runtime/ort';
import { AlsModel, itemGram, scoreAls, solveUser } from './als';
import { ModelArtifact } from './artifact';
import { graphFeeds, graphTop, overFetch } from './graph-scoring';
import { scoreHistory } from './neighbors';
import { blendDense, servingSpace, topItems } from './serving';
import { buildServingGraph } from './serving-graph';
import { NeighborTable } from './types';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function table(n: number, m: number, next: () => number, signed: boolean): NeighborTable {
  const idx = new Int32Array(n * m).fill(-1);
  const w = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const used = Math.floor(next() * (m + 1));
    const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    for (let s = 0; s < used; s++) {
      const pick = others.splice(Math.floor(next() * others.length), 1)[0];
      idx[i * m + s] = pick;
      w[i * m + s] = signed ? next() - 0.3 : next();
    }
  }
  return { n, m, idx, w };
}

function artifact(n: number, next: () => number): ModelArtifact {
  const k = 4;
  const als: AlsModel = { items: n, factors: k, itemFactors: Float32Array.from({ length: n * k }, () => next() - 0.5), regularization: 0.5, alpha: 10 };
  return { items: Array.from({ length: n }, (_, i) => `i${String(i).padStart(3, '0')}`), tables: { ease: table(n, 6, next, true), itemknn: table(n, 5, next, false) }, factors: { als } };
}

async function run(session: OrtSession, feeds: ReturnType<typeof graphFeeds>) {
  const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, makeTensor(f.type, f.data, f.dims)])));
  return { values: out.values.data as Float32Array, indices: out.indices.data as BigInt64Array };
}

describe('the serving graph (ONNX) against the TypeScript scorer', () => {
  const weights = { ease: 1, itemknn: 0.5, als: 0.3, popularity: 0.05 };

  it('gives the same top k (items, scores within 1e-5) on random data, with exclusions, group caps and items only popularity knows', async () => {
    const next = rng(12);
    const n = 60;
    const a = artifact(n, next);
    const graph = buildServingGraph(a, weights)!;
    expect(graph.sources).toEqual({ ease: 1, itemknn: 0.5, als: 0.3 });
    const { session } = await createSession(graph.bytes, { executionProviders: ['cpu'] });
    const gram = itemGram(a.factors!.als);
    let compared = 0;
    for (let round = 0; round < 30; round++) {
      const popularity = new Map<string, number>();
      for (let i = 0; i < n + 10; i++) if (next() < 0.5) popularity.set(i < n ? a.items[i] : `new${i}`, next() * 5);
      const space = servingSpace(a.items, new Map(a.items.map((id, i) => [id, i])), popularity);
      const history = new Map<number, number>();
      for (let h = 0; h < 1 + Math.floor(next() * 8); h++) history.set(Math.floor(next() * n), next() < 0.15 ? -1 : Math.round(next() * 8) / 8 || 0.125);
      const excludedSet = new Set(Array.from({ length: space.items.length }, (_, j) => j).filter(() => next() < 0.2));
      const excluded = (j: number) => excludedSet.has(j);
      const groupOf = (j: number) => `g${j % 3}`;
      const k = 1 + Math.floor(next() * 12);
      const maxPerGroup = round % 2 ? 1 + Math.floor(next() * 3) : undefined;
      // TypeScript: every source over the history, blended, top k
      const user = solveUser(a.factors!.als, history, gram);
      const sources = [
        { source: 'ease', values: scoreHistory(a.tables.ease, history).scores },
        { source: 'itemknn', values: scoreHistory(a.tables.itemknn, history).scores },
        { source: 'als', values: scoreAls(a.factors!.als, user) },
      ];
      const expected = topItems(space, blendDense(space, sources, weights), { k, excluded, maxPerGroup, groupOf });
      // ONNX: popularity as the bias, the rest in the graph
      const base = blendDense(space, [], weights).total;
      let fetched = overFetch(k, n, maxPerGroup);
      let got = graphTop(space, await run(session, graphFeeds(graph, history, { als: user }, base, excluded, fetched)), fetched, base, { k, excluded, maxPerGroup, groupOf });
      if (!got) {
        fetched = n;
        got = graphTop(space, await run(session, graphFeeds(graph, history, { als: user }, base, excluded, fetched)), fetched, base, { k, excluded, maxPerGroup, groupOf });
      }
      expect(got!.map((b) => b.item)).toEqual(expected.map((b) => b.item));
      got!.forEach((b, r) => expect(Math.abs(b.score - expected[r].score)).toBeLessThan(1e-5));
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('answers several users in one batch (padded histories), each its own k', async () => {
    const next = rng(5);
    const a = artifact(30, next);
    const graph = buildServingGraph(a, { itemknn: 1 })!;
    expect(graph.factorInputs).toEqual([]);
    const { session } = await createSession(graph.bytes, { executionProviders: ['cpu'] });
    const histories = [new Map([[3, 1]]), new Map([[1, 1], [7, 0.5], [20, 0.25]])];
    const items = new BigInt64Array(6);
    const w = new Float32Array(6);
    histories.forEach((h, b) => [...h].forEach(([i, x], s) => ((items[b * 3 + s] = BigInt(i)), (w[b * 3 + s] = x))));
    const out = await session.run({
      history_items: makeTensor('int64', items, [2, 3]),
      history_weights: makeTensor('float32', w, [2, 3]),
      bias: makeTensor('float32', new Float32Array(60), [2, 30]),
      k: makeTensor('int64', BigInt64Array.of(2n, 5n), [2, 1]),
    });
    expect(out.values.dims).toEqual([2, 5]);
    const space = servingSpace(a.items, new Map(a.items.map((id, i) => [id, i])), new Map());
    histories.forEach((h, b) => {
      const expected = topItems(space, blendDense(space, [{ source: 'itemknn', values: scoreHistory(a.tables.itemknn, h).scores }], { itemknn: 1 }), { k: 5, excluded: () => false });
      const row = { values: (out.values.data as Float32Array).subarray(b * 5, b * 5 + 5), indices: (out.indices.data as BigInt64Array).subarray(b * 5, b * 5 + 5) };
      expect(graphTop(space, row, 5, new Float64Array(0), { k: 5, excluded: () => false })!.map((x) => x.item)).toEqual(expected.map((x) => x.item));
    });
  });

  it('is not built without a weighted source in the artifact', () => {
    const a = artifact(10, rng(1));
    expect(buildServingGraph(a, { popularity: 1 })).toBeNull();
    expect(buildServingGraph({ items: [], tables: {} }, { ease: 1 })).toBeNull();
  });
});
