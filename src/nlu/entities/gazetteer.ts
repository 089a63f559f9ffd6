/**
 * Gazetteer: finds the surface forms of lookup tables in text with a character trie walked
 * from every position of the utterance. Cost per utterance is O(length x longest partial
 * match), independent of the number of entries, and since there are no failure links to
 * rebuild (as Aho–Corasick would need), `add` and `remove` take effect at once: the product
 * catalog can register and retire tens of thousands of titles at run time.
 *
 * Matching rules:
 *  - Case- and width-insensitive (ＴＥＥ = tee = TEE) through a per-UTF-16-unit fold table,
 *    so offsets into the original text stay exact. Forms added with caseSensitive only match
 *    as written (the city "Nice" but not "nice").
 *  - Forms that begin or end with a Latin letter or digit need a word boundary there
 *    ("Nice" does not match inside "Venice"); Han, kana and punctuation need none, so
 *    "T恤衫" matches in "我正在浏览T恤衫".
 *  - Longest match wins; among overlapping matches of equal length the leftmost wins; on the
 *    very same span the most recently added form wins (user tables over built-in data).
 */
import type { ExtractedEntity, LookupTable } from '../core/types';
import { EdgeTable } from './edge-table';

export interface GazetteerAddOptions {
  /** value reported for every form in this call; by default each form is its own value */
  canonical?: string;
  /** match only with exactly this casing (for city names that are also words: Nice, Phoenix) */
  caseSensitive?: boolean;
}

interface Output {
  type: string;
  value: string;
  /** the form as written, checked when caseSensitive */
  exact?: string;
  seq: number;
  wordStart: boolean;
  wordEnd: boolean;
}

/** Confidence of a gazetteer match: exact dictionary hits are reliable, but words are ambiguous. */
export const LOOKUP_CONFIDENCE = 0.95;

let foldTable: Uint16Array | undefined;

/** Lower-case, full-width to ASCII, dash and space variants unified; one code unit in, one out. */
function fold(): Uint16Array {
  if (foldTable) return foldTable;
  const t = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) t[c] = c;
  // Only these blocks have case (Latin, Greek, Cyrillic, Armenian, Georgian, ..., Latin Ext-D);
  // skipping CJK and Hangul keeps the table's one-time cost small.
  for (const [from, to] of [
    [0, 0x3000],
    [0xa640, 0xac00],
  ]) {
    for (let c = from; c < to; c++) {
      const lower = String.fromCharCode(c).toLowerCase();
      if (lower.length === 1) t[c] = lower.charCodeAt(0);
    }
  }
  for (let c = 0xff01; c <= 0xff5e; c++) t[c] = t[c - 0xfee0]; // full-width ASCII
  for (const c of [0x3000, 0x00a0, 0x09, 0x0a, 0x0d]) t[c] = 0x20;
  for (let c = 0x2010; c <= 0x2015; c++) t[c] = 0x2d;
  foldTable = t;
  return t;
}

const NO_SPACING_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Letters and digits of scripts that separate words with spaces. */
export function isWordChar(ch: string | undefined): boolean {
  if (ch === undefined || ch === '') return false;
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return LETTER_OR_DIGIT.test(ch) && !NO_SPACING_SCRIPT.test(ch);
}

export class Gazetteer {
  private readonly edges = new EdgeTable();
  /** per node: the entries ending there */
  private outputs: (Output[] | undefined)[] = [undefined];
  /** per node: number of child edges, parent node, and the character leading to it (for pruning) */
  private childCount: number[] = [0];
  private parent: number[] = [0];
  private edgeChar: number[] = [0];
  private readonly free: number[] = [];
  private seq = 0;
  private count = 0;
  private readonly fold = fold();

  constructor(tables: readonly LookupTable[] = []) {
    for (const t of tables) this.addTable(t);
  }

  /** Number of (type, form) entries. */
  get size(): number {
    return this.count;
  }

  types(): string[] {
    const seen = new Set<string>();
    for (const outs of this.outputs) for (const o of outs ?? []) seen.add(o.type);
    return [...seen].sort();
  }

  addTable(table: LookupTable): number {
    return this.add(table.name, table.elements);
  }

  /** Adds forms for an entity type; re-adding a form of the same type replaces it. Returns how many were new. */
  add(type: string, values: readonly string[], options: GazetteerAddOptions = {}): number {
    if (typeof type !== 'string' || type.trim() === '') throw new TypeError('A lookup table needs a non-empty name.');
    let added = 0;
    for (const raw of values) {
      if (typeof raw !== 'string') continue;
      const form = raw.trim();
      if (form === '') continue;
      const node = this.insert(form);
      const outs = (this.outputs[node] ??= []);
      const exact = options.caseSensitive ? form : undefined;
      const out: Output = {
        type,
        value: options.canonical ?? form,
        exact,
        seq: ++this.seq,
        wordStart: isWordChar(form[0]),
        wordEnd: isWordChar(form[form.length - 1]),
      };
      const existing = outs.findIndex((o) => o.type === type && o.exact === exact);
      if (existing >= 0) outs[existing] = out;
      else {
        outs.push(out);
        this.count++;
        added++;
      }
    }
    return added;
  }

  /** Removes the given forms of a type (case-insensitively), or the whole type. Returns how many entries went. */
  remove(type: string, values?: readonly string[]): number {
    let removed = 0;
    const nodes = values === undefined ? this.outputs.map((_, n) => n) : values.map((v) => this.lookupNode(v.trim()));
    for (const node of nodes) {
      const outs = node === undefined ? undefined : this.outputs[node];
      if (node === undefined || !outs) continue;
      const kept = outs.filter((o) => o.type !== type);
      removed += outs.length - kept.length;
      if (kept.length) this.outputs[node] = kept;
      else {
        this.outputs[node] = undefined;
        this.prune(node);
      }
    }
    this.count -= removed;
    return removed;
  }

  has(type: string, value: string): boolean {
    const node = this.lookupNode(value.trim());
    return node !== undefined && (this.outputs[node] ?? []).some((o) => o.type === type);
  }

  /** Entities for the longest non-overlapping matches, in text order; extractor 'lookup'. */
  extract(text: string): ExtractedEntity[] {
    if (this.count === 0 || text.length === 0) return [];
    const f = this.fold;
    const hits: { start: number; end: number; o: Output }[] = [];
    for (let start = 0; start < text.length; start++) {
      let node = 0;
      for (let j = start; j < text.length; j++) {
        const next = this.edges.get(node, f[text.charCodeAt(j)]);
        if (next === undefined) break;
        node = next;
        const outs = this.outputs[node];
        if (outs === undefined) continue;
        for (const o of outs) {
          if (o.wordStart && isWordChar(text[start - 1])) continue;
          if (o.wordEnd && isWordChar(text[j + 1])) continue;
          if (o.exact !== undefined && text.slice(start, j + 1) !== o.exact) continue;
          hits.push({ start, end: j + 1, o });
        }
      }
    }
    if (hits.length === 0) return [];
    hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || b.o.seq - a.o.seq);
    const kept: typeof hits = [];
    for (const h of hits) {
      if (kept.every((k) => h.end <= k.start || h.start >= k.end)) kept.push(h);
    }
    return kept
      .sort((a, b) => a.start - b.start)
      .map(({ start, end, o }) => ({
        entity: o.type,
        value: o.value,
        text: text.slice(start, end),
        start,
        end,
        confidence: LOOKUP_CONFIDENCE,
        extractor: 'lookup',
      }));
  }

  private insert(form: string): number {
    let node = 0;
    for (let i = 0; i < form.length; i++) {
      const ch = this.fold[form.charCodeAt(i)];
      let next = this.edges.get(node, ch);
      if (next === undefined) {
        next = this.free.pop() ?? this.childCount.length;
        this.childCount[next] = 0;
        this.outputs[next] = undefined;
        this.parent[next] = node;
        this.edgeChar[next] = ch;
        this.edges.set(node, ch, next);
        this.childCount[node]++;
      }
      node = next;
    }
    return node;
  }

  private lookupNode(form: string): number | undefined {
    let node = 0;
    for (let i = 0; i < form.length; i++) {
      const next = this.edges.get(node, this.fold[form.charCodeAt(i)]);
      if (next === undefined) return undefined;
      node = next;
    }
    return node === 0 ? undefined : node;
  }

  /** Deletes a node that no longer leads anywhere, and its parents while they end up the same. */
  private prune(node: number): void {
    while (node !== 0 && this.childCount[node] === 0 && this.outputs[node] === undefined) {
      const up = this.parent[node];
      this.edges.delete(up, this.edgeChar[node]);
      this.childCount[up]--;
      this.free.push(node);
      node = up;
    }
  }
}
