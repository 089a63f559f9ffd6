/**
 * Understanding without a trained model: the domain's own words. Intents from their
 * patterns and keywords (high precision), else the nearest declared example by character
 * bigrams; entities from declared values and synonyms, patterns, and the built-ins (dates,
 * quantities, 《titles》). A project's trained NLU model, when it has one, is consulted by the
 * service in between (docs/dialogue.md).
 */
import type { Domain, Lang } from '../domain/domain';

export interface Entity {
  entity: string;
  value: string;
  text: string;
  start: number;
  end: number;
}

export interface DetectedIntent {
  name: string;
  confidence: number;
  /** rule: a pattern or keyword; example: the nearest example; nlu: the project's model */
  via: 'rule' | 'example' | 'nlu';
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
export const languageOf = (text: string): Lang => (CJK.test(text) ? 'zh' : 'en');

/** What the tracker recognises in any assistant: cancel, yes, no, "no, I meant ...". */
const CANCEL = /^(算了|不用了|不要了|取消|取消吧|算了吧|不买了|cancel|never ?mind|forget it|stop)$/iu;
const AFFIRM = /^(好|好的|是|是的|对|对的|确认|确定|可以|行|嗯|没问题|下单|yes|y|yeah|yep|ok|okay|sure|confirm|go ahead|please do)$/iu;
const DENY = /^(不|不是|否|不要|不用|no|nope|n|nah)$/iu;
const CORRECTION = /^(?:不对|不是|错了|我是说|我说的是|(?:no|nope|not|actually|i meant|i mean|sorry)(?![a-z]))[\s,，、:：]*(?:是|要)?/iu;

const bare = (text: string) => text.trim().replace(/[\s。！!？?，,.~～…]+$/u, '').replace(/^[\s，,]+/u, '').trim();
export const isCancel = (text: string) => CANCEL.test(bare(text));
export const isAffirm = (text: string) => AFFIRM.test(bare(text));
export const isDeny = (text: string) => DENY.test(bare(text));
export const isCorrection = (text: string) => CORRECTION.test(bare(text));

const DATE_WORDS: [RegExp, string][] = [
  [/后天|day after tomorrow/iu, 'day_after_tomorrow'],
  [/明天|明日|tomorrow/iu, 'tomorrow'],
  [/今天|今日|现在|today|now|currently/iu, 'today'],
];
const ZH_DIGITS: Record<string, number> = { 一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const QUANTITY = /(\d+|[一两二三四五六七八九十])\s*(本|件|个|份|套|copies|copy|pieces|piece|items|books|shirts)/iu;
const TITLE = /《([^》]+)》/u;

/** Entities the domain declares, found in the text (longest value first; one per entity type and span). */
export function extractEntities(domain: Domain, text: string): Entity[] {
  const out: Entity[] = [];
  const lower = text.toLowerCase();
  for (const [name, spec] of Object.entries(domain.entities)) {
    if (spec.values) {
      const forms = Object.entries(spec.values).flatMap(([canon, syn]) => [canon, ...syn].map((f) => ({ canon, form: f })));
      forms.sort((a, b) => b.form.length - a.form.length);
      for (const { canon, form } of forms) {
        const at = lower.indexOf(form.toLowerCase());
        if (at < 0 || form.length === 0) continue;
        // latin words match whole words only (no "rome" inside "chromebook")
        if (/^[a-z]/i.test(form) && (/[a-z]/i.test(text[at - 1] ?? '') || /[a-z]/i.test(text[at + form.length] ?? ''))) continue;
        out.push({ entity: name, value: canon, text: text.slice(at, at + form.length), start: at, end: at + form.length });
        break;
      }
    }
    if (spec.pattern) {
      const m = new RegExp(spec.pattern, 'iu').exec(text);
      if (m) {
        const value = m[1] ?? m[0];
        const start = m.index + (m[1] ? m[0].indexOf(m[1]) : 0);
        out.push({ entity: name, value, text: value, start, end: start + value.length });
      }
    }
    if (spec.builtin === 'date') {
      for (const [re, value] of DATE_WORDS) {
        const m = re.exec(text);
        if (m) {
          out.push({ entity: name, value, text: m[0], start: m.index, end: m.index + m[0].length });
          break;
        }
      }
    }
    if (spec.builtin === 'number') {
      const m = QUANTITY.exec(text);
      if (m) out.push({ entity: name, value: String(/\d/.test(m[1]) ? Number(m[1]) : ZH_DIGITS[m[1]]), text: m[0], start: m.index, end: m.index + m[0].length });
    }
    if (spec.builtin === 'title') {
      const m = TITLE.exec(text);
      if (m) out.push({ entity: name, value: m[1].trim(), text: m[0], start: m.index, end: m.index + m[0].length });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The intent the domain's patterns or keywords name (the longest keyword wins), else the nearest example above `minSimilarity`. */
export function detectIntent(domain: Domain, text: string, minSimilarity = 0.45): DetectedIntent | null {
  const lower = text.toLowerCase();
  let best: { name: string; weight: number } | null = null;
  for (const [name, spec] of Object.entries(domain.intents)) {
    for (const re of spec.patterns) if (new RegExp(re, 'iu').test(text) && (!best || best.weight < 1000)) best = { name, weight: 1000 };
    for (const k of spec.keywords) {
      const kw = k.toLowerCase();
      const at = lower.indexOf(kw);
      if (at < 0 || (/^[a-z]/.test(kw) && /[a-z]/.test(lower[at - 1] ?? ''))) continue;
      if (!best || kw.length > best.weight) best = { name, weight: kw.length };
    }
  }
  if (best) return { name: best.name, confidence: 1, via: 'rule' };
  const grams = bigrams(lower);
  let near: { name: string; score: number } | null = null;
  for (const [name, spec] of Object.entries(domain.intents)) {
    for (const ex of spec.examples) {
      const score = dice(grams, bigrams(ex.toLowerCase()));
      if (score >= minSimilarity && (!near || score > near.score)) near = { name, score };
    }
  }
  return near ? { name: near.name, confidence: Number(near.score.toFixed(3)), via: 'example' } : null;
}

function bigrams(s: string): Map<string, number> {
  const t = s.replace(/[\s\p{P}]+/gu, ' ').trim();
  const out = new Map<string, number>();
  for (let i = 0; i < t.length - 1; i++) {
    const g = t.slice(i, i + 2);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

function dice(a: Map<string, number>, b: Map<string, number>): number {
  let both = 0;
  let na = 0;
  let nb = 0;
  for (const [g, n] of a) {
    na += n;
    both += Math.min(n, b.get(g) ?? 0);
  }
  for (const n of b.values()) nb += n;
  return na + nb ? (2 * both) / (na + nb) : 0;
}

/** The text without a leading correction word ("不对，是明天" -> "明天"). */
export const withoutCorrection = (text: string) => bare(text).replace(CORRECTION, '').trim();
/** The text as a from_text slot value: trimmed, without end punctuation and 《》. */
export const asSlotText = (text: string) => bare(text).replace(/^《|》$/gu, '').trim();
