/**
 * A character-level grammar and its matcher, the automaton behind constrained decoding.
 *
 * Grammars are small trees of nodes (literals, sequences, alternatives, repetitions,
 * objects with ordered optional properties, JSON strings and numbers) that may refer to
 * each other (recursive schemas). A matcher state is a set of threads; a thread is a
 * persistent stack of frames (what is left to match, innermost first), so advancing by
 * one character shares every frame it does not touch and a trie walk over the vocabulary
 * can branch from any state for free. Alternatives fork threads (anyOf, optional
 * properties, the end of a number), so no backtracking is needed.
 *
 * Each stack cell carries a key (its frames' ids and counters, tail included): equal keys
 * are equal futures, which dedupes threads and keys the per-state mask cache.
 */

export type GNode = Lit | Seq | Alt | Rep | Obj | Str | Num;

interface Base {
  id: number;
}
export interface Lit extends Base {
  k: 'lit';
  s: string;
}
export interface Seq extends Base {
  k: 'seq';
  items: GNode[];
}
export interface Alt extends Base {
  k: 'alt';
  options: GNode[];
}
/** `min`..`max` items with `sep` between them */
export interface Rep extends Base {
  k: 'rep';
  item: GNode;
  sep: GNode;
  min: number;
  max: number;
}
/** JSON object members in declaration order; optional ones may be skipped. Braces are not included. */
export interface Obj extends Base {
  k: 'obj';
  props: { key: GNode; value: GNode; required: boolean }[];
  sep: GNode;
}
/** the inside of a JSON string plus its closing quote (the opening quote comes before) */
export interface Str extends Base {
  k: 'str';
  minLength: number;
  maxLength: number;
  /** a character automaton the string's characters must match (JSON Schema `pattern`) */
  pattern?: CharDfa;
}
export interface Num extends Base {
  k: 'num';
  integer: boolean;
}

/** A deterministic automaton over characters: `step` returns the next state or -1. */
export interface CharDfa {
  start: number;
  step(state: number, ch: string): number;
  accepting(state: number): boolean;
  /** true when some continuation from `state` reaches an accepting state */
  live(state: number): boolean;
}

/** Longest runs the number automaton accepts: integer, fraction and exponent digits (two exponent digits keep every number finite: 16 digits x 1e99 < 1.8e308). */
export const NUMBER_LIMITS = { intDigits: 16, fracDigits: 16, expDigits: 2 };

type Frame =
  | { t: 'n'; node: GNode } // to expand
  | { t: 'l'; node: Lit; pos: number }
  | { t: 'r'; node: Rep; count: number }
  | { t: 'o'; node: Obj; next: number; any: boolean }
  | { t: 's'; node: Str; count: number; esc: number; dfa: number }
  | { t: '#'; node: Num; phase: number; digits: number };

export interface Cell {
  frame: Frame;
  tail: Cell | null;
  key: string;
}

/** A matcher state: threads with a character-consuming frame on top, and whether the document may end here. */
export interface MatchState {
  threads: Cell[];
  accept: boolean;
  key: string;
}

const frameKey = (f: Frame): string => {
  switch (f.t) {
    case 'n':
      return `n${f.node.id}`;
    case 'l':
      return `l${f.node.id}.${f.pos}`;
    case 'r':
      return `r${f.node.id}.${f.count}`;
    case 'o':
      return `o${f.node.id}.${f.next}${f.any ? '+' : ''}`;
    case 's':
      return `s${f.node.id}.${f.count}.${f.esc}.${f.dfa}`;
    case '#':
      return `#${f.node.id}.${f.phase}.${f.digits}`;
  }
};

const push = (frame: Frame, tail: Cell | null): Cell => ({ frame, tail, key: tail ? `${frameKey(frame)}/${tail.key}` : frameKey(frame) });

/** Builds grammar nodes with unique ids (ids key the mask cache, so one builder per grammar). */
export class GrammarBuilder {
  private next = 0;
  lit(s: string): Lit {
    return { k: 'lit', id: this.next++, s };
  }
  seq(items: GNode[]): Seq {
    return { k: 'seq', id: this.next++, items };
  }
  alt(options: GNode[]): Alt {
    return { k: 'alt', id: this.next++, options };
  }
  rep(item: GNode, sep: GNode, min: number, max: number): Rep {
    return { k: 'rep', id: this.next++, item, sep, min, max };
  }
  obj(props: Obj['props'], sep: GNode): Obj {
    return { k: 'obj', id: this.next++, props, sep };
  }
  str(minLength = 0, maxLength = Infinity, pattern?: CharDfa): Str {
    return { k: 'str', id: this.next++, minLength, maxLength, pattern };
  }
  num(integer: boolean): Num {
    return { k: 'num', id: this.next++, integer };
  }
}

/** The state before any character of `root`. */
export function initialState(root: GNode): MatchState {
  return collect(closure(push({ t: 'n', node: root }, null)));
}

/** The state after `text`, or null when `text` cannot continue a valid document. */
export function advanceText(state: MatchState, text: string): MatchState | null {
  let s: MatchState | null = state;
  for (const ch of text) {
    s = advance(s, ch);
    if (!s) return null;
  }
  return s;
}

/** The state after one character (a code point), or null when nothing can take it. */
export function advance(state: MatchState, ch: string): MatchState | null {
  const out: (Cell | null)[] = [];
  for (const cell of state.threads) {
    const r = consume(cell.frame, ch);
    if (r === undefined) continue;
    for (const c of closure(r === null ? cell.tail : push(r, cell.tail))) out.push(c);
  }
  if (out.length === 0) return null;
  return collect(out);
}

function collect(cells: (Cell | null)[]): MatchState {
  const seen = new Set<string>();
  const threads: Cell[] = [];
  let accept = false;
  for (const c of cells) {
    if (c === null) {
      accept = true;
      continue;
    }
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    threads.push(c);
  }
  const key = (accept ? '$|' : '') + [...seen].sort().join('|');
  return { threads, accept, key };
}

/**
 * Expands a stack until a character-consuming frame is on top; every alternative is one
 * result, null for an empty stack (the document is complete). A number that may end
 * here also yields the stack below it.
 */
function closure(start: Cell | null): (Cell | null)[] {
  const out: (Cell | null)[] = [];
  const work: (Cell | null)[] = [start];
  let guard = 0;
  while (work.length) {
    if (++guard > 100_000) throw new Error('grammar closure does not terminate');
    const cell = work.pop()!;
    if (cell === null) {
      out.push(null);
      continue;
    }
    const f = cell.frame;
    const tail = cell.tail;
    switch (f.t) {
      case 'l':
        if (f.pos >= f.node.s.length) work.push(tail);
        else out.push(cell);
        break;
      case 's':
        out.push(cell);
        break;
      case '#':
        out.push(cell);
        if (numberCanEnd(f)) work.push(tail);
        break;
      case 'r': {
        const { node, count } = f;
        if (count >= node.min) work.push(tail);
        if (count < node.max) {
          let c = push({ t: 'n', node: node.item }, push({ t: 'r', node, count: count + 1 }, tail));
          if (count > 0) c = push({ t: 'n', node: node.sep }, c);
          work.push(c);
        }
        break;
      }
      case 'o': {
        const { node, next, any } = f;
        let requiredAhead = false;
        for (let j = next; j < node.props.length; j++) {
          const p = node.props[j];
          let c = push({ t: 'n', node: p.key }, push({ t: 'n', node: p.value }, push({ t: 'o', node, next: j + 1, any: true }, tail)));
          if (any) c = push({ t: 'n', node: node.sep }, c);
          work.push(c);
          if (p.required) {
            requiredAhead = true;
            break;
          }
        }
        if (!requiredAhead) work.push(tail);
        break;
      }
      case 'n': {
        const node = f.node;
        switch (node.k) {
          case 'lit':
            work.push(node.s.length ? push({ t: 'l', node, pos: 0 }, tail) : tail);
            break;
          case 'seq': {
            let c = tail;
            for (let i = node.items.length - 1; i >= 0; i--) c = push({ t: 'n', node: node.items[i] }, c);
            work.push(c);
            break;
          }
          case 'alt':
            for (let i = node.options.length - 1; i >= 0; i--) work.push(push({ t: 'n', node: node.options[i] }, tail));
            break;
          case 'rep':
            work.push(push({ t: 'r', node, count: 0 }, tail));
            break;
          case 'obj':
            work.push(push({ t: 'o', node, next: 0, any: false }, tail));
            break;
          case 'str':
            out.push(push({ t: 's', node, count: 0, esc: 0, dfa: node.pattern?.start ?? 0 }, tail));
            break;
          case 'num':
            out.push(push({ t: '#', node, phase: 0, digits: 0 }, tail));
            break;
        }
        break;
      }
    }
  }
  return out;
}

const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const HEX = /^[0-9a-fA-F]$/;
const SIMPLE_ESCAPES = '"\\/bfnrt';

/**
 * One character through a consuming frame: the advanced frame, null when the frame is
 * complete with it (pop), undefined when it cannot take the character.
 */
function consume(f: Frame, ch: string): Frame | null | undefined {
  switch (f.t) {
    case 'l':
      if (f.node.s[f.pos] !== ch) return undefined;
      return f.pos + 1 >= f.node.s.length ? null : { t: 'l', node: f.node, pos: f.pos + 1 };
    case 's':
      return consumeString(f, ch);
    case '#':
      return consumeNumber(f, ch);
    default:
      return undefined;
  }
}

function consumeString(f: Extract<Frame, { t: 's' }>, ch: string): Frame | null | undefined {
  const { node } = f;
  if (f.esc === 1) {
    // the pattern automaton cannot see what a \u escape decodes to: patterns allow simple escapes only
    if (ch === 'u') return node.pattern ? undefined : { ...f, esc: 2 };
    if (!SIMPLE_ESCAPES.includes(ch)) return undefined;
    return charDone(f, ESCAPED[ch]);
  }
  if (f.esc >= 2) {
    // \uXXXX; the first digit may not be d/D, which keeps surrogate halves out of the text
    if (!HEX.test(ch) || (f.esc === 2 && (ch === 'd' || ch === 'D'))) return undefined;
    if (f.esc < 5) return { ...f, esc: f.esc + 1 };
    // the decoded character is unknown to the pattern automaton: patterns allow no \u escapes
    return node.pattern ? undefined : charDone(f, 'x');
  }
  if (ch === '"') {
    if (f.count < node.minLength) return undefined;
    if (node.pattern && !node.pattern.accepting(f.dfa)) return undefined;
    return null;
  }
  if (ch === '\\') {
    if (f.count >= node.maxLength) return undefined;
    // only when some escape can follow, so a backslash never leads to a dead end
    if (node.pattern && !Object.values(ESCAPED).some((c) => charDone(f, c) !== undefined)) return undefined;
    return { ...f, esc: 1 };
  }
  if (ch < ' ') return undefined;
  return charDone(f, ch);
}

const ESCAPED: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** One more character (`decoded`) inside the string, against maxLength and the pattern. */
function charDone(f: Extract<Frame, { t: 's' }>, decoded: string): Frame | undefined {
  const { node } = f;
  if (f.count >= node.maxLength) return undefined;
  let dfa = f.dfa;
  if (node.pattern) {
    dfa = node.pattern.step(dfa, decoded);
    if (dfa < 0 || !node.pattern.live(dfa)) return undefined;
  }
  // Unbounded strings without a pattern keep one state whatever their length: their masks cache.
  const count = node.maxLength === Infinity && node.minLength === 0 ? 0 : f.count + 1;
  return { t: 's', node, count, esc: 0, dfa };
}

/*
 * Number phases: 0 start, 1 after '-', 2 after a leading 0, 3 integer digits,
 * 4 after '.', 5 fraction digits, 6 after e/E, 7 after the exponent sign, 8 exponent digits.
 */
function numberCanEnd(f: Extract<Frame, { t: '#' }>): boolean {
  return f.phase === 2 || f.phase === 3 || f.phase === 5 || f.phase === 8;
}

function consumeNumber(f: Extract<Frame, { t: '#' }>, ch: string): Frame | undefined {
  const n = (phase: number, digits = 0): Frame => ({ t: '#', node: f.node, phase, digits });
  const L = NUMBER_LIMITS;
  switch (f.phase) {
    case 0:
    case 1:
      if (ch === '-' && f.phase === 0) return n(1);
      if (ch === '0') return n(2);
      if (isDigit(ch)) return n(3, 1);
      return undefined;
    case 2:
    case 3:
      if (f.phase === 3 && isDigit(ch)) return f.digits < L.intDigits ? n(3, f.digits + 1) : undefined;
      if (f.node.integer) return undefined;
      if (ch === '.') return n(4);
      if (ch === 'e' || ch === 'E') return n(6);
      return undefined;
    case 4:
      return isDigit(ch) ? n(5, 1) : undefined;
    case 5:
      if (isDigit(ch)) return f.digits < L.fracDigits ? n(5, f.digits + 1) : undefined;
      if (ch === 'e' || ch === 'E') return n(6);
      return undefined;
    case 6:
    case 7:
      if ((ch === '+' || ch === '-') && f.phase === 6) return n(7);
      return isDigit(ch) ? n(8, 1) : undefined;
    case 8:
      return isDigit(ch) && f.digits < L.expDigits ? n(8, f.digits + 1) : undefined;
  }
  return undefined;
}

/**
 * When the state is inside one plain JSON string (one thread, no pattern, not in an
 * escape), how many more characters it may take: every token made only of ordinary string
 * characters and at most that long is allowed, which lets the mask skip the trie walk for
 * them (TokenTrie.maskFor). Undefined for any other state.
 */
export function plainStringRoom(state: MatchState): number | undefined {
  if (state.threads.length !== 1 || state.accept) return undefined;
  const f = state.threads[0].frame;
  if (f.t !== 's' || f.esc !== 0 || f.node.pattern) return undefined;
  return f.node.maxLength === Infinity ? Infinity : f.node.maxLength - f.count;
}

/** A character a JSON string takes as itself (not a quote, backslash or control character). */
export const isPlainStringChar = (ch: string): boolean => ch !== '"' && ch !== '\\' && ch >= ' ';

/** Whether `text` is a complete document of the grammar (for tests and checks). */
export function matchesFully(root: GNode, text: string): boolean {
  const s = advanceText(initialState(root), text);
  return s !== null && s.accept;
}
