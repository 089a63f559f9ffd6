/**
 * User-defined regex entities (Rasa's `regex:` entries whose name is an entity type).
 *
 * Patterns are JavaScript regular expressions, compiled case-insensitively with the `u`
 * flag when they allow it (so \p{Script=Han} works). Every pattern is checked before use and
 * all problems are reported together, each with the pattern's name:
 *  - empty name or pattern, or a pattern over MAX_PATTERN_LENGTH characters;
 *  - syntax errors (Python-only syntax such as (?P<name>...) or (?i) lands here);
 *  - nested unbounded quantifiers such as (a+)+, (\w*)* or (x|y+){2,}: the shapes behind
 *    catastrophic backtracking (ReDoS). JS regexes cannot be interrupted once running, so
 *    the only safe place to stop them is here;
 *  - patterns that match the empty string, which would yield empty entities.
 */
import type { ExtractedEntity, RegexPattern } from '../core/types';

export const MAX_PATTERN_LENGTH = 500;

export interface RegexProblem {
  name: string;
  pattern: string;
  reason: string;
}

export class InvalidRegexPatternError extends Error {
  constructor(readonly problems: RegexProblem[]) {
    super(`Invalid regex pattern(s): ${problems.map((p) => `"${p.name}": ${p.reason}`).join('; ')}`);
    this.name = 'InvalidRegexPatternError';
  }
}

interface Compiled {
  name: string;
  re: RegExp;
}

/** Finds a quantified group that itself contains an unbounded quantifier; returns its text. */
export function findNestedQuantifier(pattern: string): string | undefined {
  const stack: { start: number; unbounded: boolean }[] = [];
  let i = 0;
  let lastGroup: { start: number; unbounded: boolean } | undefined;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      i += 2;
      lastGroup = undefined;
      continue;
    }
    if (c === '[') {
      // Skip a character class; a ] right after [ or [^ is a literal.
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
      lastGroup = undefined;
      continue;
    }
    if (c === '(') {
      stack.push({ start: i, unbounded: false });
      i++;
      continue;
    }
    if (c === ')') {
      lastGroup = stack.pop();
      i++;
      // A group counts as "repeating" inside its parent when it contains an unbounded quantifier.
      if (lastGroup?.unbounded && stack.length) stack[stack.length - 1].unbounded = true;
      const q = readQuantifier(pattern, i);
      if (q && lastGroup) {
        if (lastGroup.unbounded && q.repeats) return pattern.slice(lastGroup.start, i + q.length);
        if (q.unbounded && stack.length) stack[stack.length - 1].unbounded = true;
        if (q.unbounded) lastGroup.unbounded = true;
      }
      continue;
    }
    const q = readQuantifier(pattern, i);
    if (q) {
      if (q.unbounded && stack.length) stack[stack.length - 1].unbounded = true;
      i += q.length;
      continue;
    }
    lastGroup = undefined;
    i++;
  }
  return undefined;
}

/** A quantifier at `at`: whether it is unbounded (*, +, {n,}) and whether it repeats at all. */
function readQuantifier(p: string, at: number): { length: number; unbounded: boolean; repeats: boolean } | undefined {
  const c = p[at];
  const lazy = (n: number): number => (p[at + n] === '?' || p[at + n] === '+' ? n + 1 : n);
  if (c === '*' || c === '+') return { length: lazy(1), unbounded: true, repeats: true };
  if (c === '?') return { length: lazy(1), unbounded: false, repeats: false };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(at));
    if (!m) return undefined;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    return { length: lazy(m[0].length), unbounded: max === Infinity || max > 100, repeats: max > 1 };
  }
  return undefined;
}

function check(p: RegexPattern): { problem?: string; re?: RegExp } {
  if (typeof p.name !== 'string' || p.name.trim() === '') return { problem: 'the entity name is empty' };
  if (typeof p.pattern !== 'string' || p.pattern === '') return { problem: 'the pattern is empty' };
  if (p.pattern.length > MAX_PATTERN_LENGTH) {
    return { problem: `the pattern is ${p.pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}` };
  }
  let re: RegExp;
  try {
    re = new RegExp(p.pattern, 'giu');
  } catch {
    try {
      re = new RegExp(p.pattern, 'gi'); // some legacy patterns (\-, lone ]) are only valid without u
    } catch (e) {
      const msg = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
      return { problem: `not a valid JavaScript regular expression (${msg})` };
    }
  }
  const nested = findNestedQuantifier(p.pattern);
  if (nested) {
    return { problem: `nested repetition "${nested}" can backtrack catastrophically; rewrite it without a quantified group that contains + or *` };
  }
  if (new RegExp(re.source, re.flags.replace('g', '')).test('')) return { problem: 'the pattern matches the empty string' };
  return { re };
}

/** All problems in a list of patterns; an empty array means every pattern is usable. */
export function validateRegexPatterns(patterns: readonly RegexPattern[]): RegexProblem[] {
  const problems: RegexProblem[] = [];
  for (const p of patterns) {
    const { problem } = check(p);
    if (problem) problems.push({ name: String(p.name ?? ''), pattern: String(p.pattern ?? ''), reason: problem });
  }
  return problems;
}

export class RegexEntityExtractor {
  private readonly compiled: Compiled[] = [];

  /** Throws InvalidRegexPatternError listing every bad pattern. */
  constructor(patterns: readonly RegexPattern[] = []) {
    const problems: RegexProblem[] = [];
    for (const p of patterns) {
      const { problem, re } = check(p);
      if (problem || !re) problems.push({ name: String(p.name ?? ''), pattern: String(p.pattern ?? ''), reason: problem ?? '' });
      else this.compiled.push({ name: p.name, re });
    }
    if (problems.length) throw new InvalidRegexPatternError(problems);
  }

  get size(): number {
    return this.compiled.length;
  }

  extract(text: string): ExtractedEntity[] {
    const out: ExtractedEntity[] = [];
    for (const { name, re } of this.compiled) {
      for (const m of text.matchAll(re)) {
        if (m[0].length === 0) continue;
        out.push({
          entity: name,
          value: m[0],
          text: m[0],
          start: m.index,
          end: m.index + m[0].length,
          confidence: 1,
          extractor: 'regex',
        });
      }
    }
    return out;
  }
}
