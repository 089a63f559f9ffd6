/**
 * Entity tagger: an averaged structured perceptron (Collins 2002) over BIO tags with
 * Viterbi decoding, per character for Chinese and per token for other scripts.
 *
 * It runs in plain TypeScript at parse time, not through ONNX: the model is a sparse
 * feature->weight table of a few thousand entries and decoding is O(tokens · tags²),
 * microseconds per utterance, while its string features would not map onto tensors.
 *
 * Decoding forbids invalid BIO sequences (I-x only after B-x or I-x), so every predicted
 * span is well formed. Confidence is the span's minimum per-token marginal probability
 * from forward-backward over the perceptron scores read as log-potentials: a heuristic
 * (the perceptron is not trained as a probabilistic model), but monotone in the margin.
 */
import type { ExtractedEntity, TrainingExample } from '../core/types';
import { Rng } from './rng';
import { Gazetteer, tokenizeForTagger } from './tagger-features';

// Module-scope aliases, as in intent-net.ts: jest's vm context makes global lookups slow in hot loops.
const { exp, max } = Math;

export interface SequenceTaggerOptions {
  epochs: number;
  seed: number;
  /**
   * Built-in rule matches (dates, numbers, quantities, prices) as features (see
   * tagger-features.ts). Measured with 5-fold CV on the bundled data, with the rule/tagger
   * reconciliation of entities/reconcile.ts: date F1 0.75 -> 0.82, quantity F1 0.75 -> 0.85.
   */
  builtinFeatures: boolean;
}

export const DEFAULT_TAGGER_OPTIONS: SequenceTaggerOptions = { epochs: 10, seed: 42, builtinFeatures: true };

export interface SerializedTagger {
  format: 'llmos.sequence-tagger';
  /** 1: no built-in rule features; 2: with them (usesBuiltins) */
  version: 1 | 2;
  /** 'O', then 'B-type', 'I-type' per entity type in sorted order */
  tags: string[];
  /** trained with gazetteer features: the same gazetteer must be supplied when loading */
  usesGazetteer: boolean;
  /** trained with built-in rule features (version 2) */
  usesBuiltins?: boolean;
  /** averaged weight per tag, for every feature with a non-zero weight */
  weights: Record<string, number[]>;
  /** (tags + 1) x tags row-major; row `tags.length` holds start-of-sentence scores */
  transitions: number[];
  stats: { examples: number; tokens: number; misalignedEntities: number; epochs: number };
}

interface Prepared {
  feats: Int32Array[];
  gold: Int32Array;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class SequenceTagger {
  private readonly T: number;
  /** allowed[prev * T + cur]; prev = T is the sentence start */
  private readonly allowed: Uint8Array;

  private constructor(
    readonly tags: string[],
    private readonly featureIndex: Map<string, number>,
    private readonly weights: Float64Array,
    private readonly transitions: Float64Array,
    private readonly gazetteer: Gazetteer | undefined,
    private readonly builtins: boolean,
    readonly stats: SerializedTagger['stats'],
  ) {
    const T = (this.T = tags.length);
    this.allowed = new Uint8Array((T + 1) * T);
    for (let p = 0; p <= T; p++) {
      for (let c = 0; c < T; c++) {
        const cur = tags[c];
        const ok = !cur.startsWith('I-') || (p < T && tags[p].slice(2) === cur.slice(2) && tags[p] !== 'O');
        this.allowed[p * T + c] = ok ? 1 : 0;
      }
    }
  }

  /** Trains on the entity annotations of `examples` (examples without entities teach 'O'). */
  static train(
    examples: TrainingExample[],
    options: Partial<SequenceTaggerOptions> = {},
    gazetteer?: Gazetteer,
    onEpoch?: (p: { epoch: number; epochs: number; errors: number }) => void,
  ): SequenceTagger {
    const o = { ...DEFAULT_TAGGER_OPTIONS, ...options };
    const types = [...new Set(examples.flatMap((e) => e.entities.map((a) => a.entity)))].sort();
    const tags = ['O', ...types.flatMap((t) => [`B-${t}`, `I-${t}`])];
    const tagIndex = new Map(tags.map((t, i) => [t, i]));
    const featureIndex = new Map<string, number>();
    let misaligned = 0;
    let tokenCount = 0;
    const data: Prepared[] = examples.map((ex) => {
      const { tokens, features } = tokenizeForTagger(ex.text, gazetteer, o.builtinFeatures);
      tokenCount += tokens.length;
      const gold = new Int32Array(tokens.length); // 0 = 'O'
      let lastEnd = -1;
      for (const a of [...ex.entities].sort((x, y) => x.start - y.start)) {
        if (a.start < lastEnd) continue; // overlapping annotation: keep the first
        const covered = tokens.map((t, i) => (t.end > a.start && t.start < a.end ? i : -1)).filter((i) => i >= 0);
        if (covered.length === 0) continue;
        // spans that cut a token are widened to whole tokens and counted
        if (tokens[covered[0]].start !== a.start || tokens[covered[covered.length - 1]].end !== a.end) misaligned++;
        covered.forEach((i, j) => (gold[i] = tagIndex.get(`${j === 0 ? 'B' : 'I'}-${a.entity}`) as number));
        lastEnd = a.end;
      }
      const idOf = (f: string): number => {
        let id = featureIndex.get(f);
        if (id === undefined) featureIndex.set(f, (id = featureIndex.size));
        return id;
      };
      const feats = features.map((fs) => Int32Array.from(fs, idOf));
      return { feats, gold };
    });

    const T = tags.length;
    const F = featureIndex.size;
    const tagger = new SequenceTagger(tags, featureIndex, new Float64Array(F * T), new Float64Array((T + 1) * T), gazetteer, o.builtinFeatures, {
      examples: examples.length,
      tokens: tokenCount,
      misalignedEntities: misaligned,
      epochs: o.epochs,
    });
    tagger.fit(data, o, onEpoch);
    return tagger;
  }

  /** Averaged perceptron; sums of updates weighted by time give the average lazily (Daumé 2006). */
  private fit(data: Prepared[], o: SequenceTaggerOptions, onEpoch?: (p: { epoch: number; epochs: number; errors: number }) => void): void {
    const { T, weights: w, transitions: tr } = this;
    const wAcc = new Float64Array(w.length);
    const trAcc = new Float64Array(tr.length);
    const rng = new Rng(o.seed);
    const order = Array.from(data.keys());
    let c = 1;
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      rng.shuffle(order);
      let errors = 0;
      for (const idx of order) {
        const { feats, gold } = data[idx];
        const pred = this.viterbi(this.emissions(feats));
        for (let t = 0; t < gold.length; t++) {
          if (gold[t] !== pred[t]) {
            errors++;
            for (const f of feats[t]) {
              w[f * T + gold[t]] += 1;
              wAcc[f * T + gold[t]] += c;
              w[f * T + pred[t]] -= 1;
              wAcc[f * T + pred[t]] -= c;
            }
          }
          const pg = t === 0 ? T : gold[t - 1];
          const pp = t === 0 ? T : pred[t - 1];
          if (pg !== pp || gold[t] !== pred[t]) {
            tr[pg * T + gold[t]] += 1;
            trAcc[pg * T + gold[t]] += c;
            tr[pp * T + pred[t]] -= 1;
            trAcc[pp * T + pred[t]] -= c;
          }
        }
        c++;
      }
      onEpoch?.({ epoch, epochs: o.epochs, errors });
      if (errors === 0) break; // separable and separated: further epochs change nothing
    }
    // rounded as toJSON() writes them, so a loaded tagger predicts exactly like this one
    for (let i = 0; i < w.length; i++) w[i] = round6(w[i] - wAcc[i] / c);
    for (let i = 0; i < tr.length; i++) tr[i] = round6(tr[i] - trAcc[i] / c);
  }

  private emissions(feats: Int32Array[]): Float64Array {
    const { T, weights: w } = this;
    const e = new Float64Array(feats.length * T);
    feats.forEach((fs, t) => {
      for (const f of fs) for (let y = 0; y < T; y++) e[t * T + y] += w[f * T + y];
    });
    return e;
  }

  private viterbi(e: Float64Array): Int32Array {
    const { T, transitions: tr, allowed } = this;
    const n = e.length / T;
    const out = new Int32Array(n);
    if (n === 0) return out;
    const score = new Float64Array(n * T).fill(-Infinity);
    const back = new Int32Array(n * T);
    for (let y = 0; y < T; y++) if (allowed[T * T + y]) score[y] = tr[T * T + y] + e[y];
    for (let t = 1; t < n; t++) {
      for (let y = 0; y < T; y++) {
        let best = -Infinity;
        let arg = 0;
        for (let p = 0; p < T; p++) {
          if (!allowed[p * T + y]) continue;
          const s = score[(t - 1) * T + p] + tr[p * T + y];
          if (s > best) [best, arg] = [s, p];
        }
        score[t * T + y] = best + e[t * T + y];
        back[t * T + y] = arg;
      }
    }
    let y = 0;
    for (let k = 1; k < T; k++) if (score[(n - 1) * T + k] > score[(n - 1) * T + y]) y = k;
    for (let t = n - 1; t >= 0; t--) {
      out[t] = y;
      y = back[t * T + y];
    }
    return out;
  }

  /**
   * Per-token tag marginals by forward-backward (same constraints as Viterbi), in scaled
   * probability space: potentials are exponentiated once (emissions relative to each
   * token's best tag, transitions relative to the largest) and every step is renormalized,
   * so the inner loops multiply instead of calling exp and log; it runs on every parse.
   */
  private marginals(e: Float64Array): Float64Array {
    const { T, transitions: tr, allowed } = this;
    const n = e.length / T;
    let trMax = -Infinity;
    for (let i = 0; i < tr.length; i++) if (allowed[i]) trMax = max(trMax, tr[i]);
    const et = new Float64Array(tr.length);
    for (let i = 0; i < tr.length; i++) et[i] = allowed[i] ? exp(tr[i] - trMax) : 0;
    const ee = new Float64Array(e.length);
    for (let t = 0; t < n; t++) {
      let m = -Infinity;
      for (let y = 0; y < T; y++) m = max(m, e[t * T + y]);
      for (let y = 0; y < T; y++) ee[t * T + y] = exp(e[t * T + y] - m);
    }
    const a = new Float64Array(n * T);
    const b = new Float64Array(n * T);
    const normalize = (x: Float64Array, off: number) => {
      let sum = 0;
      for (let y = 0; y < T; y++) sum += x[off + y];
      if (sum > 0) for (let y = 0; y < T; y++) x[off + y] /= sum;
    };
    for (let y = 0; y < T; y++) a[y] = et[T * T + y] * ee[y];
    normalize(a, 0);
    for (let t = 1; t < n; t++) {
      for (let y = 0; y < T; y++) {
        let sum = 0;
        for (let p = 0; p < T; p++) sum += a[(t - 1) * T + p] * et[p * T + y];
        a[t * T + y] = sum * ee[t * T + y];
      }
      normalize(a, t * T);
    }
    for (let y = 0; y < T; y++) b[(n - 1) * T + y] = 1;
    for (let t = n - 2; t >= 0; t--) {
      for (let y = 0; y < T; y++) {
        let sum = 0;
        for (let c = 0; c < T; c++) sum += et[y * T + c] * ee[(t + 1) * T + c] * b[(t + 1) * T + c];
        b[t * T + y] = sum;
      }
      normalize(b, t * T);
    }
    // per-token scale factors cancel when each token's products are normalized
    for (let i = 0; i < a.length; i++) a[i] *= b[i];
    for (let t = 0; t < n; t++) normalize(a, t * T);
    return a;
  }

  predict(text: string): ExtractedEntity[] {
    const { tokens, features } = tokenizeForTagger(text, this.gazetteer, this.builtins);
    if (tokens.length === 0) return [];
    const feats = features.map((fs) => {
      const ids: number[] = [];
      for (const f of fs) {
        const id = this.featureIndex.get(f);
        if (id !== undefined) ids.push(id);
      }
      return Int32Array.from(ids);
    });
    const e = this.emissions(feats);
    const path = this.viterbi(e);
    if (path.every((y) => y === 0)) return []; // all 'O': no confidences needed
    const marg = this.marginals(e);
    const T = this.T;
    const out: ExtractedEntity[] = [];
    for (let t = 0; t < path.length; t++) {
      const tag = this.tags[path[t]];
      if (!tag.startsWith('B-')) continue;
      let end = t;
      let conf = marg[t * T + path[t]];
      while (end + 1 < path.length && this.tags[path[end + 1]] === `I-${tag.slice(2)}`) {
        end++;
        conf = Math.min(conf, marg[end * T + path[end]]);
      }
      const start = tokens[t].start;
      const stop = tokens[end].end;
      const surface = text.slice(start, stop);
      out.push({ entity: tag.slice(2), value: surface, text: surface, start, end: stop, confidence: round6(conf), extractor: 'tagger' });
    }
    return out;
  }

  toJSON(): SerializedTagger {
    const { T } = this;
    const weights: Record<string, number[]> = {};
    for (const [f, i] of this.featureIndex) {
      const row = Array.from(this.weights.subarray(i * T, (i + 1) * T), round6);
      if (row.some((x) => x !== 0)) weights[f] = row;
    }
    return {
      format: 'llmos.sequence-tagger',
      version: this.builtins ? 2 : 1,
      tags: [...this.tags],
      usesGazetteer: this.gazetteer !== undefined,
      ...(this.builtins && { usesBuiltins: true }),
      weights,
      transitions: Array.from(this.transitions, round6),
      stats: { ...this.stats },
    };
  }

  static fromJSON(json: SerializedTagger, gazetteer?: Gazetteer): SequenceTagger {
    if (json.format !== 'llmos.sequence-tagger' || (json.version !== 1 && json.version !== 2)) throw new Error(`Not a version-1 or -2 LLM OS sequence tagger (${json.format} v${json.version})`);
    if ((json.version === 2) !== (json.usesBuiltins === true)) throw new Error(`Tagger version ${json.version} does not match usesBuiltins=${json.usesBuiltins === true}`);
    if (json.usesGazetteer && !gazetteer) throw new Error('This tagger was trained with gazetteer features: pass the same gazetteer when loading it');
    const T = json.tags.length;
    if (json.transitions.length !== (T + 1) * T) throw new Error(`Tagger transitions have ${json.transitions.length} values, expected ${(T + 1) * T}`);
    const entries = Object.entries(json.weights);
    const featureIndex = new Map<string, number>();
    const weights = new Float64Array(entries.length * T);
    entries.forEach(([f, row], i) => {
      if (row.length !== T) throw new Error(`Tagger feature "${f}" has ${row.length} weights, expected ${T}`);
      featureIndex.set(f, i);
      weights.set(row, i * T);
    });
    return new SequenceTagger([...json.tags], featureIndex, weights, Float64Array.from(json.transitions), json.usesGazetteer ? gazetteer : undefined, json.usesBuiltins === true, { ...json.stats });
  }
}
