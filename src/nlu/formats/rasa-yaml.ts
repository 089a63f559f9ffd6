/**
 * Rasa NLU training data in YAML (format version "3.1"):
 *
 *   version: "3.1"
 *   nlu:
 *   - intent: weather_query
 *     metadata: { lang: zh }        # optional; our extension, Rasa ignores metadata
 *     examples: |
 *       - [明天](date)[上海](city)下雨吗
 *   - synonym: Shanghai
 *     examples: |
 *       - 沪
 *   - lookup: city
 *     examples: |
 *       - 上海
 *   - regex: order_id
 *     examples: |
 *       - ORD-\d{6}
 *
 * Problems carry 1-based file lines; all are collected (up to a cap) and thrown together as
 * TrainingDataFormatError. A YAML syntax error stops parsing, so it is reported alone.
 * Rasa's non-NLU sections (stories, rules, responses, ...) are skipped, since Rasa projects
 * often keep them in the same file; any other unknown key is an error (usually a typo).
 *
 * Round trip: parseRasaYaml(toRasaYaml(x)) deep-equals x, except that each example's
 * entities come back sorted by start (the markup is in text order). Example order is kept
 * exactly: the exporter writes one `- intent:` item per run of consecutive examples with
 * the same intent and lang. An example's `lang` travels as `metadata: { lang }`.
 */
import type { Lang, NluTrainingData, TrainingExample } from '../core/types';
import { parseEntityMarkup, renderEntityMarkup } from './entity-markup';
import { mergeDuplicateExamples, normalizeExample } from './normalize';
import {
  DataLocations,
  LANGS,
  ParsedTrainingData,
  ProblemList,
  TRAINING_DATA_LIMITS,
  TrainingDataFormatError,
  TrainingDataProblem,
  assertValidTrainingData,
  checkLine,
  checkName,
  quote,
  validateTrainingData,
} from './validation';
import { YMap, YNode, YScalar, YamlSyntaxError, parseYamlTree } from '../../common/yaml-tree';

export interface RasaYamlOptions {
  /** lang for examples whose intent item has no `metadata.lang` (e.g. one file per language) */
  lang?: Lang;
}

const KINDS = ['intent', 'synonym', 'lookup', 'regex'] as const;
type Kind = (typeof KINDS)[number];
const ITEM_KEYS = new Set<string>([...KINDS, 'examples', 'metadata']);
const TOP_KEYS = new Set(['version', 'nlu']);
const IGNORED_TOP_KEYS = new Set([
  'stories', 'rules', 'responses', 'intents', 'entities', 'slots', 'forms', 'actions',
  'session_config', 'e2e_actions', 'config', 'test_stories',
]);

function describe(node: YNode): string {
  return node.kind === 'scalar' ? 'a string' : node.kind === 'seq' ? 'a list' : node.kind === 'map' ? 'a mapping' : 'an alias';
}

function keyText(node: YNode): string | null {
  return node.kind === 'scalar' ? node.value : null;
}

/** One `- ` line of an examples block, with its file line and the column where its text starts. */
interface BlockLine {
  text: string;
  line: number;
  column: number;
}

function blockLines(node: YScalar, problems: ProblemList): BlockLine[] {
  const out: BlockLine[] = [];
  node.value.split('\n').forEach((raw, i) => {
    // Only literal blocks keep lines 1:1 with the file; other styles point at their first line.
    const line = node.literal ? node.line + i : node.line;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    if (!/^-(\s|$)/.test(trimmed)) {
      problems.add({ line, message: 'example line must start with "- "', detail: quote(trimmed.slice(0, 40)) });
      return;
    }
    const text = trimmed.slice(1).trim();
    if (text === '') {
      problems.add({ line, message: 'empty example ("-" with nothing after it)' });
      return;
    }
    out.push({ text, line, column: (node.literal ? node.indent : 0) + raw.indexOf(text) + 1 });
  });
  return out;
}

function readLang(meta: YNode | undefined, problems: ProblemList): Lang | undefined {
  if (meta === undefined) return undefined;
  if (meta.kind !== 'map') {
    problems.add({ line: meta.line, message: `metadata must be a mapping, not ${describe(meta)}` });
    return undefined;
  }
  const entry = meta.entries.find((e) => keyText(e.key) === 'lang');
  if (entry === undefined) return undefined;
  const v = entry.value;
  if (v.kind !== 'scalar' || !LANGS.includes(v.value as Lang)) {
    problems.add({ line: v.line, message: `metadata lang must be one of ${LANGS.join(', ')}` });
    return undefined;
  }
  return v.value as Lang;
}

class RasaReader {
  readonly data: NluTrainingData = { examples: [], lookups: [], synonyms: [], regexes: [] };
  readonly locations: Required<DataLocations> = { examples: [], lookups: [], synonyms: [], regexes: [] };
  private tooMany = false;
  normalized = 0;

  constructor(
    readonly problems: ProblemList,
    private readonly defaultLang: Lang | undefined,
  ) {}

  readItem(item: YNode, index: number): void {
    if (item.kind !== 'map') {
      this.problems.add({ line: item.line, message: `nlu entry ${index + 1} must be a mapping, not ${describe(item)}` });
      return;
    }
    const fields = this.fields(item);
    const kinds = KINDS.filter((k) => fields.has(k));
    if (kinds.length !== 1) {
      const message =
        kinds.length === 0
          ? `nlu entry has none of ${KINDS.join(', ')}`
          : `nlu entry has both ${kinds.join(' and ')}; write one per entry`;
      this.problems.add({ line: item.line, message });
      return;
    }
    const kind = kinds[0];
    const nameNode = fields.get(kind) as YNode;
    if (nameNode.kind !== 'scalar' || nameNode.value.trim() === '') {
      const what = nameNode.kind === 'scalar' ? 'is empty' : `must be a string, not ${describe(nameNode)}`;
      this.problems.add({ line: nameNode.line, message: `${kind} name ${what}` });
      return;
    }
    const examples = fields.get('examples');
    if (examples === undefined) {
      this.problems.add({ line: item.line, message: `${kind} ${quote(nameNode.value)} has no examples` });
      return;
    }
    if (examples.kind !== 'scalar') {
      this.problems.add({ line: examples.line, message: `examples must be a block string ("examples: |"), not ${describe(examples)}` });
      return;
    }
    const lines = blockLines(examples, this.problems);
    // A literal block's content starts on the line after its `examples: |` header.
    if (lines.length === 0 && examples.value.trim() === '')
      this.problems.add({ line: examples.literal ? examples.line - 1 : examples.line, message: `${kind} ${quote(nameNode.value)} has an empty examples block` });
    const lang = kind === 'intent' ? (readLang(fields.get('metadata'), this.problems) ?? this.defaultLang) : undefined;
    // Checked once here, on the name's line, instead of once per example by the shared rules.
    const nameProblem = kind === 'synonym' ? checkLine('synonym value', nameNode.value) : checkName(kind, nameNode.value);
    if (nameProblem) this.problems.add({ line: nameNode.line, message: nameProblem });
    this.addLines(kind, nameNode, lines, lang, nameProblem === null);
  }

  private fields(item: YMap): Map<string, YNode> {
    const fields = new Map<string, YNode>();
    for (const { key, value } of item.entries) {
      const name = keyText(key);
      if (name === null) this.problems.add({ line: key.line, message: 'keys must be plain strings' });
      else if (fields.has(name)) this.problems.add({ line: key.line, message: `duplicate key "${name}"` });
      else if (!ITEM_KEYS.has(name))
        this.problems.add({ line: key.line, message: `unknown key "${name}" (expected ${[...ITEM_KEYS].join(', ')})` });
      else fields.set(name, value);
    }
    return fields;
  }

  /** Records the item's lines; with a bad name they are still checked but not kept. */
  private addLines(kind: Kind, nameNode: YScalar, lines: BlockLine[], lang: Lang | undefined, keep: boolean): void {
    const name = nameNode.value;
    if (kind === 'intent') {
      for (const l of lines) {
        if (this.data.examples.length >= TRAINING_DATA_LIMITS.maxExamples) {
          if (!this.tooMany)
            this.problems.add({ line: l.line, message: `more than ${TRAINING_DATA_LIMITS.maxExamples} examples; the limit per import` });
          this.tooMany = true;
          return;
        }
        const parsed = parseEntityMarkup(l.text, l.column);
        for (const error of parsed.errors) {
          // "column 7: unbalanced ..." -> one problem per kind of markup error, columns as details
          const m = /^column (\d+): (.*)$/s.exec(error);
          this.problems.add(m ? { line: l.line, message: m[2], detail: `column ${m[1]}` } : { line: l.line, message: error });
        }
        if (parsed.errors.length > 0 || !keep) continue;
        const ex: TrainingExample = { text: parsed.text, intent: name, entities: parsed.entities };
        if (lang !== undefined) ex.lang = lang;
        const norm = normalizeExample(ex);
        for (const k of norm.emptied) this.problems.add({ line: l.line, message: 'entity span is outside the text once its whitespace is normalized', detail: `entity ${k + 1}` });
        if (norm.emptied.length > 0) continue;
        if (norm.changed) this.normalized++;
        this.data.examples.push(norm.example);
        this.locations.examples.push({ line: l.line });
      }
    } else if (!keep) {
      return;
    } else if (kind === 'regex') {
      for (const l of lines) {
        this.data.regexes.push({ name, pattern: l.text });
        this.locations.regexes.push({ line: l.line });
      }
    } else if (lines.length > 0) {
      const texts = lines.map((l) => l.text);
      const loc = { line: nameNode.line, elementLines: lines.map((l) => l.line) };
      if (kind === 'lookup') {
        this.data.lookups.push({ name, elements: texts });
        this.locations.lookups.push(loc);
      } else {
        this.data.synonyms.push({ value: name, synonyms: texts });
        this.locations.synonyms.push(loc);
      }
    }
  }
}

/** Problems in file order (structure, markup and shared rules are found in separate passes). */
function sortByLine(problems: TrainingDataProblem[]): TrainingDataProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** Parses Rasa NLU YAML; throws TrainingDataFormatError listing every problem found. */
export function parseRasaYaml(source: string, options: RasaYamlOptions = {}): NluTrainingData {
  return readRasaYaml(source, options).data;
}

/** Reads Rasa NLU YAML with what was cleaned up on the way; throws TrainingDataFormatError listing every problem found. */
export function readRasaYaml(source: string, options: RasaYamlOptions = {}): ParsedTrainingData {
  let root: YNode | null;
  try {
    root = parseYamlTree(source.replace(/^\uFEFF/, ''));
  } catch (err) {
    // A RangeError is nesting too deep to read: still the file's fault, not the server's.
    if (!(err instanceof YamlSyntaxError)) throw new TrainingDataFormatError([{ message: `YAML could not be read: ${String((err as Error).message).slice(0, 200)}` }]);
    const problem = err.line !== undefined ? { line: err.line, message: `YAML syntax: ${err.reason}` } : { message: `YAML syntax: ${err.reason}` };
    throw new TrainingDataFormatError([problem]);
  }
  if (root === null) throw new TrainingDataFormatError([{ line: 1, message: 'the file is empty; expected a mapping with an "nlu:" list' }]);
  if (root.kind !== 'map')
    throw new TrainingDataFormatError([{ line: root.line, message: `the file must be a mapping with an "nlu:" list, not ${describe(root)}` }]);

  const problems = new ProblemList();
  const reader = new RasaReader(problems, options.lang);
  const seen = new Set<string>();
  for (const { key, value } of root.entries) {
    const name = keyText(key);
    if (name === null) {
      problems.add({ line: key.line, message: 'keys must be plain strings' });
      continue;
    }
    if (IGNORED_TOP_KEYS.has(name)) continue;
    if (seen.has(name)) problems.add({ line: key.line, message: `duplicate key "${name}"` });
    seen.add(name);
    if (!TOP_KEYS.has(name)) problems.add({ line: key.line, message: `unknown top-level key "${name}" (expected version, nlu)` });
    else if (name === 'version' && value.kind !== 'scalar')
      problems.add({ line: value.line, message: 'version must be a string such as "3.1"' });
    else if (name === 'nlu') {
      if (value.kind === 'scalar' && value.value === '') continue;
      if (value.kind !== 'seq') problems.add({ line: value.line, message: `nlu must be a list, not ${describe(value)}` });
      else value.items.forEach((item, i) => reader.readItem(item, i));
    }
  }
  const duplicatesMerged = mergeDuplicateExamples(reader.data.examples, reader.locations.examples, problems);
  validateTrainingData(reader.data, problems, reader.locations);
  if (problems.items.length > 0) throw new TrainingDataFormatError(sortByLine(problems.items), problems.conflicts);
  return { data: reader.data, stats: { duplicatesMerged, textsNormalized: reader.normalized } };
}

const PLAIN_SAFE = /^[\p{L}\p{N}_][\p{L}\p{N}_ .-]*$/u;
const YAML_RESERVED = /^(?:y|n|yes|no|on|off|true|false|null|~|[-+]?(?:\.inf|\.nan))$/i;

/** A YAML scalar that reads back as the same string in YAML 1.1 and 1.2 readers. */
export function yamlString(s: string): string {
  const plain = PLAIN_SAFE.test(s) && !/[ .]$/.test(s) && !YAML_RESERVED.test(s) && !/^[-+.\d]/.test(s);
  return plain ? s : JSON.stringify(s);
}

export function block(lines: string[]): string[] {
  return ['  examples: |', ...lines.map((l) => `    - ${l}`)];
}

/** Writes data as Rasa NLU YAML; throws TrainingDataFormatError when the data is invalid. */
export function toRasaYaml(data: NluTrainingData): string {
  assertValidTrainingData(data);
  const out = ['version: "3.1"', 'nlu:'];
  for (let i = 0; i < data.examples.length; ) {
    const { intent, lang } = data.examples[i];
    let j = i;
    while (j < data.examples.length && data.examples[j].intent === intent && data.examples[j].lang === lang) j++;
    out.push(`- intent: ${yamlString(intent)}`);
    if (lang !== undefined) out.push(`  metadata:`, `    lang: ${lang}`);
    out.push(...block(data.examples.slice(i, j).map((ex) => renderEntityMarkup(ex.text, ex.entities))));
    i = j;
  }
  for (const sy of data.synonyms) out.push(`- synonym: ${yamlString(sy.value)}`, ...block(sy.synonyms));
  for (const lu of data.lookups) out.push(`- lookup: ${yamlString(lu.name)}`, ...block(lu.elements));
  for (let i = 0; i < data.regexes.length; ) {
    const name = data.regexes[i].name;
    let j = i;
    while (j < data.regexes.length && data.regexes[j].name === name) j++;
    out.push(`- regex: ${yamlString(name)}`, ...block(data.regexes.slice(i, j).map((r) => r.pattern)));
    i = j;
  }
  return out.join('\n') + '\n';
}
