/**
 * Property test: whatever shape of input the importers get, they either return data that
 * passes the shared rules (with no text twice) or throw TrainingDataFormatError, never
 * anything else (which the import route would turn into a 500). Seeded, so a failure
 * names the case that reproduces it.
 */
import { readJsonTrainingData } from './json-format';
import { readNdjsonTrainingData } from './ndjson-format';
import { readRasaYaml } from './rasa-yaml';
import { ParsedTrainingData, TrainingDataFormatError, assertValidTrainingData } from './validation';
import { mulberry32 as rng } from '../../common/random';


const STRINGS = ['', ' ', '\u0000', '\ud800', 'a\nb', ' x ', '😀', 'x'.repeat(2000), 'Greet', 'a.b-c', '[x](y', '[x](y)', '{"entity": 1}', '__proto__', '\\', '\t', '\r\n', '上海', '- a', 'nlu:', ': :'];
const KEYS = ['text', 'intent', 'entities', 'lang', 'entity', 'start', 'end', 'value', 'role', 'examples', 'lookups', 'synonyms', 'regexes', 'name', 'elements', 'pattern', 'lookup', 'synonym', 'regex'];

function value(r: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  switch (Math.floor(r() * (depth > 3 ? 5 : 8))) {
    case 0: return null;
    case 1: return pick([0, -1, 1.5, 1e308, 3, 7, 2 ** 53]);
    case 2: return pick(STRINGS);
    case 3: return r() < 0.5;
    case 4: return pick(['zh', 'en', 'hi there', 'greet', 'city']);
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--) o[pick(KEYS)] = value(r, depth + 1);
      return o;
    }
  }
}

function yamlish(r: () => number): string {
  const lines = ['version: "3.1"', 'nlu:'];
  for (let i = Math.floor(r() * 4); i > 0; i--) {
    lines.push(`- ${['intent', 'lookup', 'synonym', 'regex', 'bogus'][Math.floor(r() * 5)]}: ${String(value(r, 4))}`);
    if (r() < 0.8) lines.push('  examples: |');
    for (let j = Math.floor(r() * 4); j > 0; j--) lines.push(`${r() < 0.9 ? '    - ' : '  '}${String(value(r, 4))}${r() < 0.3 ? ' [a](b)' : ''}`);
  }
  return lines.join('\n');
}

function check(read: () => ParsedTrainingData): void {
  let out: ParsedTrainingData;
  try {
    out = read();
  } catch (err) {
    if (err instanceof TrainingDataFormatError) return;
    throw err;
  }
  expect(() => assertValidTrainingData(out.data)).not.toThrow();
  expect(new Set(out.data.examples.map((e) => e.text)).size).toBe(out.data.examples.length);
}

describe('importers on odd input', () => {
  it.each(Array.from({ length: 300 }, (_, i) => i))('case %i', (seed) => {
    const r = rng(seed);
    const v = value(r);
    check(() => readJsonTrainingData(v));
    check(() => readJsonTrainingData(JSON.stringify(v) ?? 'undefined'));
    check(() => readJsonTrainingData([v, { text: 'a b', intent: 'x' }, v]));
    check(() => readNdjsonTrainingData([v, value(r), { text: String(value(r, 4)), intent: 'x', entities: [value(r, 3)] }].map((x) => JSON.stringify(x) ?? '').join('\n')));
    check(() => readRasaYaml(yamlish(r)));
  });
});
