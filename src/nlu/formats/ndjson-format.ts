/**
 * Training data as NDJSON (newline-delimited JSON, `application/x-ndjson`): one JSON object
 * per line, so a file of any size can be written and read line by line, split or joined.
 *
 *   {"text": "play some jazz", "intent": "play_music", "entities": [{"entity": "genre", "start": 10, "end": 14}], "lang": "en"}
 *   {"lookup": "city", "elements": ["上海", "Paris"]}
 *   {"synonym": "Shanghai", "synonyms": ["沪", "魔都"]}
 *   {"regex": "order_id", "pattern": "ORD-\\d{6}"}
 *
 * A line with `lookup`, `synonym` or `regex` is that resource; any other line is an example
 * with the fields of the JSON format. Blank lines are skipped. Problems carry the 1-based
 * line and the field inside that line's object.
 */
import type { NluTrainingData, TrainingExample } from '../core/types';
import { JsonParseOptions, JsonReader, toJsonExample } from './json-format';
import { ParsedTrainingData, ProblemList, TRAINING_DATA_LIMITS } from './validation';

const KINDS = [
  ['lookup', 'lookups', ['lookup', 'elements']],
  ['synonym', 'synonyms', ['synonym', 'synonyms']],
  ['regex', 'regexes', ['regex', 'pattern']],
] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads NDJSON training data; throws TrainingDataFormatError listing every problem found. */
export function readNdjsonTrainingData(source: string, options: JsonParseOptions = {}): ParsedTrainingData {
  const problems = new ProblemList();
  const reader = new JsonReader(problems, options.lang);
  const text = source.replace(/^\uFEFF/, '');
  let examples = 0;
  let start = 0;
  for (let line = 1; start <= text.length && !problems.full; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.add({ line, message: 'invalid JSON', detail: (err as Error).message.slice(0, 200) });
      continue;
    }
    if (!isRecord(value)) {
      problems.add({ line, message: 'each line must be a JSON object (an example, or a lookup, synonym or regex)' });
      continue;
    }
    const kind = KINDS.find(([k]) => k in value);
    if (kind) {
      reader.readListItem(value, kind[1], [kind[2][0], kind[2][1]], { line, path: '' });
    } else if (++examples > TRAINING_DATA_LIMITS.maxExamples) {
      problems.add({ line, message: `more than ${TRAINING_DATA_LIMITS.maxExamples} examples; the limit per import` });
      break;
    } else {
      reader.readExample(value, { line, path: '' });
    }
  }
  return reader.finish();
}

export function parseNdjsonTrainingData(source: string, options: JsonParseOptions = {}): NluTrainingData {
  return readNdjsonTrainingData(source, options).data;
}

/** One example's NDJSON line (with its newline). */
export function ndjsonExampleLine(ex: TrainingExample): string {
  return `${JSON.stringify(toJsonExample(ex))}\n`;
}

/** The NDJSON lines of lookups, synonyms and regexes. */
export function ndjsonResourceLines(data: Pick<NluTrainingData, 'lookups' | 'synonyms' | 'regexes'>): string {
  const lines = [
    ...data.lookups.map((l) => JSON.stringify({ lookup: l.name, elements: l.elements })),
    ...data.synonyms.map((s) => JSON.stringify({ synonym: s.value, synonyms: s.synonyms })),
    ...data.regexes.map((r) => JSON.stringify({ regex: r.name, pattern: r.pattern })),
  ];
  return lines.map((l) => `${l}\n`).join('');
}

/** Writes data as NDJSON (no validation: for data that came from the store). */
export function toNdjson(data: NluTrainingData): string {
  return data.examples.map(ndjsonExampleLine).join('') + ndjsonResourceLines(data);
}
