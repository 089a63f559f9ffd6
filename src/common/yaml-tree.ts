/**
 * A YAML document as a small tree whose nodes remember where they are in the source.
 *
 * Why not `yaml.load`: it returns plain values with no positions, and errors in a user's file
 * (NLU training data, dialogue domains) must name the line. js-yaml 5's `parseEvents` gives source offsets for every scalar, so
 * we fold its event stream into this tree. Scalars keep their text as written (no `yes`
 * -> true or `1` -> number resolution): every value in an NLU file is text; a reader converts what it expects to be numbers.
 */
import { EVENT_ID, SCALAR_STYLE, YAMLException, getScalarValue, parseEvents } from 'js-yaml';
import type { Event } from 'js-yaml';

export interface YScalar {
  kind: 'scalar';
  value: string;
  /** 1-based line of the scalar's first character (for block scalars: the first content line) */
  line: number;
  /** literal block (`|`): line i of `value` is file line `line + i` */
  literal: boolean;
  /** block scalars: the columns of indentation stripped from each content line */
  indent: number;
}
export interface YSeq {
  kind: 'seq';
  line: number;
  items: YNode[];
}
export interface YMapEntry {
  key: YNode;
  value: YNode;
}
export interface YMap {
  kind: 'map';
  line: number;
  entries: YMapEntry[];
}
export interface YAlias {
  kind: 'alias';
  line: number;
}
export type YNode = YScalar | YSeq | YMap | YAlias;

/** A YAML syntax error with its 1-based line. */
export class YamlSyntaxError extends Error {
  constructor(
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line !== undefined ? `line ${line}: ${reason}` : reason);
    this.name = 'YamlSyntaxError';
  }
}

// Plain scalars YAML reads as null; in an NLU or domain file they mean "nothing written here".
const NULL_FORMS = new Set(['', '~', 'null', 'Null', 'NULL']);

function lineIndex(source: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Parses the single document in `source`. Returns null for an empty document; throws
 * YamlSyntaxError for malformed YAML or more than one document.
 */
export function parseYamlTree(source: string): YNode | null {
  let events: Event[];
  try {
    events = parseEvents(source, {});
  } catch (err) {
    if (err instanceof YAMLException) throw new YamlSyntaxError(err.mark ? err.mark.line + 1 : undefined, err.reason);
    throw err;
  }
  const lineOf = lineIndex(source);
  const documents = events.filter((e) => e.type === EVENT_ID.DOCUMENT).length;
  if (documents > 1) throw new YamlSyntaxError(undefined, `${documents} YAML documents ("---"); a training-data file holds one`);

  let pos = 0;
  let lastLine = 1;
  // Each call consumes exactly one node's events (a collection up to its POP).
  const readNode = (): YNode => {
    const e = events[pos++];
    switch (e.type) {
      case EVENT_ID.SCALAR: {
        // An empty value (`intent:`) has no source offset: it sits on its key's line.
        if (e.valueStart >= 0) lastLine = lineOf(e.valueStart);
        const raw = e.valueStart >= 0 ? getScalarValue(source, e) : '';
        const isNull = e.style === SCALAR_STYLE.PLAIN && NULL_FORMS.has(raw);
        return { kind: 'scalar', value: isNull ? '' : raw, line: lastLine, literal: e.style === SCALAR_STYLE.LITERAL_BLOCK, indent: Math.max(e.indent, 0) };
      }
      case EVENT_ID.ALIAS:
        lastLine = lineOf(e.anchorStart);
        return { kind: 'alias', line: lastLine };
      case EVENT_ID.SEQUENCE: {
        lastLine = lineOf(e.start);
        const node: YSeq = { kind: 'seq', line: lastLine, items: [] };
        while (events[pos].type !== EVENT_ID.POP) node.items.push(readNode());
        pos++;
        return node;
      }
      case EVENT_ID.MAPPING: {
        lastLine = lineOf(e.start);
        const node: YMap = { kind: 'map', line: lastLine, entries: [] };
        while (events[pos].type !== EVENT_ID.POP) {
          const key = readNode();
          node.entries.push({ key, value: readNode() });
        }
        pos++;
        return node;
      }
      default:
        throw new Error(`unexpected YAML event ${e.type} at index ${pos - 1}`);
    }
  };

  if (events.length === 0 || events[0].type !== EVENT_ID.DOCUMENT) return null;
  pos = 1;
  if (pos >= events.length || events[pos].type === EVENT_ID.POP) return null;
  return readNode();
}
