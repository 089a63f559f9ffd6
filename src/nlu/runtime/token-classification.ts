/**
 * Entities from a Hugging Face token-classification model (e.g. a BERT NER export):
 * per-token labels (argmax of the logits, with softmax confidence) grouped into spans
 * by their BIO / IOB2 prefixes, mapped back to character offsets of the utterance.
 *
 * transformers.js tokenizers give ids without offsets, so each token's text is found in
 * the utterance by decoding it and searching forward from the previous token (case- and
 * width-insensitive, WordPiece `##` and byte-level `Ġ` markers removed). A token whose
 * text cannot be found (a byte fragment of a character) joins its neighbours' span.
 * Plain TypeScript.
 */
import type { ExtractedEntity } from '../core/types';

export interface TokenPiece {
  /** the token's text as the tokenizer decodes it alone */
  text: string;
  special: boolean;
}

export interface TokenSpan {
  start: number;
  end: number;
}

const fold = (s: string) => s.normalize('NFKC').toLowerCase();

/** Character span of each token in `text` (undefined for special tokens and unplaceable pieces). */
export function alignTokens(text: string, pieces: TokenPiece[]): (TokenSpan | undefined)[] {
  const hay = fold(text);
  let cursor = 0;
  return pieces.map((p) => {
    if (p.special) return undefined;
    const needle = fold(p.text.replace(/^##/, '').replace(/^[\u0120\u2581]/, '')).trim();
    if (!needle || needle.includes('\uFFFD')) return undefined;
    const at = hay.indexOf(needle, cursor);
    if (at < 0 || at - cursor > 32) return undefined;
    cursor = at + needle.length;
    return { start: at, end: at + needle.length };
  });
}

/** "B-LOC" -> { tag: "B", type: "LOC" }; "LOC" or "O" without prefix as in some exports. */
export function splitLabel(label: string): { tag: 'B' | 'I' | 'O'; type: string } {
  if (label === 'O' || label === '') return { tag: 'O', type: '' };
  const m = /^([BIES])[-_](.+)$/.exec(label);
  if (!m) return { tag: 'I', type: label };
  return { tag: m[1] === 'B' || m[1] === 'S' ? 'B' : 'I', type: m[2] };
}

/** Conventional NER labels, renamed to the entity names the rest of LLM OS uses. */
const TYPE_NAMES: Record<string, string> = { LOC: 'location', PER: 'person', ORG: 'organization', MISC: 'misc', GPE: 'location' };

/**
 * Groups per-token predictions into entities. `logits` is [seq, labels] for the tokens
 * in `pieces` order; `id2label` from the model's config.json.
 */
export function decodeTokenClassification(text: string, pieces: TokenPiece[], logits: Float32Array, id2label: Record<string, string>, extractor: string): ExtractedEntity[] {
  const L = Object.keys(id2label).length;
  const spans = alignTokens(text, pieces);
  const out: ExtractedEntity[] = [];
  let current: { type: string; start: number; end: number; scores: number[] } | undefined;
  const close = () => {
    if (current) {
      const name = TYPE_NAMES[current.type] ?? current.type.toLowerCase();
      const surface = text.slice(current.start, current.end);
      out.push({ entity: name, value: surface, text: surface, start: current.start, end: current.end, confidence: Math.round((current.scores.reduce((a, b) => a + b, 0) / current.scores.length) * 1e4) / 1e4, extractor });
    }
    current = undefined;
  };
  pieces.forEach((p, i) => {
    if (p.special) return close();
    const row = logits.subarray(i * L, (i + 1) * L);
    let best = 0;
    for (let j = 1; j < L; j++) if (row[j] > row[best]) best = j;
    let sum = 0;
    for (let j = 0; j < L; j++) sum += Math.exp(row[j] - row[best]);
    const confidence = 1 / sum;
    const { tag, type } = splitLabel(id2label[String(best)] ?? 'O');
    const span = spans[i];
    if (tag === 'O') return close();
    const continues = current && current.type === type && (tag === 'I' || !span);
    if (!continues) {
      close();
      if (!span) return;
      current = { type, start: span.start, end: span.end, scores: [confidence] };
      return;
    }
    if (span) current!.end = Math.max(current!.end, span.end);
    current!.scores.push(confidence);
  });
  close();
  return out;
}
