/**
 * JSON Schema `pattern` -> a character automaton (CharDfa) for string constraints.
 *
 * The subset: literal characters, `.`, escapes (\d \w \s \D \W \S and escaped
 * punctuation, \n \t \r), classes `[a-z_]` / `[^...]`, groups `(...)` and `(?:...)`,
 * alternation `|`, quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy: the same language),
 * and anchors `^` at the start and `$` at the end. As JSON Schema says, a pattern is a
 * search: without `^`/`$` anything may come before / after. Backreferences, lookaround,
 * \b and Unicode property escapes are refused (PatternError). Thompson NFA, turned into a
 * DFA lazily (subset construction memoized per state and character).
 */
import type { CharDfa } from './grammar';

export class PatternError extends Error {}

type Pred = (ch: string) => boolean;
interface NState {
  eps: number[];
  edges: { pred: Pred; to: number }[];
}
interface Frag {
  start: number;
  end: number;
}

const MAX_REPEAT = 100;

class Parser {
  private i = 0;
  readonly states: NState[] = [];
  constructor(private readonly src: string) {}

  state(): number {
    this.states.push({ eps: [], edges: [] });
    return this.states.length - 1;
  }

  parse(): { frag: Frag; anchoredStart: boolean; anchoredEnd: boolean } {
    let anchoredStart = false;
    if (this.src[0] === '^') {
      anchoredStart = true;
      this.i = 1;
    }
    const frag = this.alternation(true);
    if (this.i < this.src.length) throw new PatternError(`unexpected "${this.src[this.i]}" at ${this.i}`);
    return { frag: frag.frag, anchoredStart, anchoredEnd: frag.anchoredEnd };
  }

  private alternation(top: boolean): { frag: Frag; anchoredEnd: boolean } {
    const branches: Frag[] = [];
    let anchoredEnd = false;
    while (true) {
      const r = this.sequence(top);
      branches.push(r.frag);
      anchoredEnd ||= r.anchoredEnd;
      if (this.src[this.i] !== '|') break;
      this.i++;
    }
    // `^a|b` anchors only its first branch: group the alternation instead
    if (top && branches.length > 1 && (this.src[0] === '^' || anchoredEnd)) throw new PatternError('anchors next to a top-level alternation are not supported; group it: ^(a|b)$');
    if (branches.length === 1) return { frag: branches[0], anchoredEnd };
    const start = this.state();
    const end = this.state();
    for (const f of branches) {
      this.states[start].eps.push(f.start);
      this.states[f.end].eps.push(end);
    }
    return { frag: { start, end }, anchoredEnd };
  }

  private sequence(top: boolean): { frag: Frag; anchoredEnd: boolean } {
    const start = this.state();
    let end = start;
    let anchoredEnd = false;
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      if (this.src[this.i] === '$') {
        if (!top || this.i + 1 < this.src.length) throw new PatternError('$ is supported only at the end of the pattern');
        this.i++;
        anchoredEnd = true;
        continue;
      }
      const atom = this.quantified();
      this.states[end].eps.push(atom.start);
      end = atom.end;
    }
    return { frag: { start, end }, anchoredEnd };
  }

  private quantified(): Frag {
    const atomStart = this.i;
    let frag = this.atom();
    const atomEnd = this.i;
    const c = this.src[this.i];
    let min = 1;
    let max = 1;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))!;
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min || min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw new PatternError(`repetition {${m[1]}${m[2] ?? ''}} is out of range (at most ${MAX_REPEAT})`);
    } else {
      return frag;
    }
    if (this.src[this.i] === '?') this.i++; // lazy: same language
    // Each copy needs its own NFA states: re-parse the atom's source.
    const copy = (): Frag => {
      const save = this.i;
      this.i = atomStart;
      const f = this.atom();
      if (this.i !== atomEnd) throw new PatternError('internal: atom re-parse mismatch');
      this.i = save;
      return f;
    };
    const start = this.state();
    let end = start;
    for (let k = 0; k < min; k++) {
      const f = k === 0 ? frag : copy();
      this.states[end].eps.push(f.start);
      end = f.end;
    }
    if (max === Infinity) {
      const f = min === 0 ? frag : copy();
      const loop = this.state();
      this.states[end].eps.push(loop);
      this.states[loop].eps.push(f.start);
      this.states[f.end].eps.push(loop);
      end = loop;
    } else {
      const exit = this.state();
      for (let k = min; k < max; k++) {
        const f = k === 0 && min === 0 ? frag : copy();
        this.states[end].eps.push(f.start, exit);
        end = f.end;
      }
      this.states[end].eps.push(exit);
      end = exit;
    }
    frag = { start, end };
    return frag;
  }

  private atom(): Frag {
    const c = this.src[this.i];
    if (c === '(') {
      this.i++;
      if (this.src.startsWith('?:', this.i)) this.i += 2;
      else if (this.src[this.i] === '?') throw new PatternError('lookaround and named groups are not supported');
      const inner = this.alternation(false);
      if (this.src[this.i] !== ')') throw new PatternError('unclosed group');
      this.i++;
      return inner.frag;
    }
    if (c === '[') return this.edge(this.charClass());
    if (c === '.') {
      this.i++;
      return this.edge((ch) => ch !== '\n' && ch !== '\r');
    }
    if (c === '\\') {
      this.i++;
      return this.edge(this.escape(false));
    }
    if (c === '*' || c === '+' || c === '?' || c === '{' || c === '^') throw new PatternError(`"${c}" at ${this.i} has nothing to repeat or is not supported there`);
    const ch = String.fromCodePoint(this.src.codePointAt(this.i)!);
    this.i += ch.length;
    return this.edge((x) => x === ch);
  }

  private edge(pred: Pred): Frag {
    const start = this.state();
    const end = this.state();
    this.states[start].edges.push({ pred, to: end });
    return { start, end };
  }

  private escape(inClass: boolean): Pred {
    const e = this.src[this.i++];
    if (e === undefined) throw new PatternError('pattern ends with a backslash');
    const classes: Record<string, Pred> = {
      d: (x) => x >= '0' && x <= '9',
      w: (x) => /^[A-Za-z0-9_]$/.test(x),
      s: (x) => /^\s$/.test(x),
    };
    const lower = e.toLowerCase();
    if (lower in classes && 'dws'.includes(lower)) {
      const p = classes[lower];
      return e === lower ? p : (x) => !p(x);
    }
    const controls: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
    if (e in controls) return (x) => x === controls[e];
    if (/[A-Za-z0-9]/.test(e) && !(inClass && e === 'b')) throw new PatternError(`the escape \\${e} is not supported`);
    return (x) => x === e;
  }

  private charClass(): Pred {
    this.i++; // [
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const parts: Pred[] = [];
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let lo: string | Pred;
      if (this.src[this.i] === '\\') {
        this.i++;
        const p = this.escape(true);
        // a single escaped character can start a range
        const prev = this.src[this.i - 1];
        lo = /[dwsDWS]/.test(prev) ? p : prev === 'n' ? '\n' : prev === 't' ? '\t' : prev === 'r' ? '\r' : prev;
      } else {
        lo = String.fromCodePoint(this.src.codePointAt(this.i)!);
        this.i += lo.length;
      }
      if (typeof lo === 'string' && this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        let hi = String.fromCodePoint(this.src.codePointAt(this.i)!);
        this.i += hi.length;
        if (hi === '\\') hi = this.src[this.i++];
        const a = lo.codePointAt(0)!;
        const z = hi.codePointAt(0)!;
        if (z < a) throw new PatternError(`bad range ${lo}-${hi}`);
        parts.push((x) => x.codePointAt(0)! >= a && x.codePointAt(0)! <= z);
      } else if (typeof lo === 'string') {
        const only = lo;
        parts.push((x) => x === only);
      } else {
        parts.push(lo);
      }
    }
    if (this.src[this.i] !== ']') throw new PatternError('unclosed character class');
    this.i++;
    return (x) => parts.some((p) => p(x)) !== negate;
  }
}

/** Compiles a pattern; throws PatternError for what the subset lacks. */
export function compilePattern(source: string): CharDfa {
  const p = new Parser(source);
  const { frag, anchoredStart, anchoredEnd } = p.parse();
  const states = p.states;
  const any: Pred = () => true;
  let start = frag.start;
  let accept = frag.end;
  if (!anchoredStart) {
    const s = p.state();
    states[s].edges.push({ pred: any, to: s });
    states[s].eps.push(start);
    start = s;
  }
  if (!anchoredEnd) {
    const s = p.state();
    states[accept].eps.push(s);
    states[s].edges.push({ pred: any, to: s });
    accept = s;
  }
  // which NFA states can reach the accepting one at all
  const canReach = new Uint8Array(states.length);
  canReach[accept] = 1;
  for (let changed = true; changed; ) {
    changed = false;
    states.forEach((st, i) => {
      if (canReach[i]) return;
      if (st.eps.some((t) => canReach[t]) || st.edges.some((e) => canReach[e.to])) {
        canReach[i] = 1;
        changed = true;
      }
    });
  }
  const closure = (set: number[]): number[] => {
    const seen = new Set(set);
    const stack = [...set];
    while (stack.length) {
      for (const t of states[stack.pop()!].eps) {
        if (seen.has(t)) continue;
        seen.add(t);
        stack.push(t);
      }
    }
    return [...seen].sort((a, b) => a - b);
  };
  const dfa: number[][] = [];
  const index = new Map<string, number>();
  const memo: Map<string, number>[] = [];
  const intern = (set: number[]): number => {
    const key = set.join(',');
    let id = index.get(key);
    if (id === undefined) {
      id = dfa.length;
      dfa.push(set);
      memo.push(new Map());
      index.set(key, id);
    }
    return id;
  };
  const startId = intern(closure([start]));
  return {
    start: startId,
    step(state, ch) {
      const m = memo[state];
      const known = m.get(ch);
      if (known !== undefined) return known;
      const next: number[] = [];
      for (const s of dfa[state]) for (const e of states[s].edges) if (e.pred(ch)) next.push(e.to);
      const id = next.length ? intern(closure(next)) : -1;
      m.set(ch, id);
      return id;
    },
    accepting: (state) => dfa[state].includes(accept),
    live: (state) => dfa[state].some((s) => canReach[s]),
  };
}
