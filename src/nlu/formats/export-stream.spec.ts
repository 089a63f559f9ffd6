import type { NluTrainingData, TrainingExample } from '../core/types';
import { ExportSource, exportChunks } from './export-stream';
import { readJsonTrainingData } from './json-format';
import { readNdjsonTrainingData } from './ndjson-format';
import { readRasaYaml } from './rasa-yaml';

/** A store of `n` examples served in pages of 7, ordered by intent and lang as the repository does. */
function store(n: number): { source: ExportSource; data: NluTrainingData } {
  const examples: TrainingExample[] = Array.from({ length: n }, (_, i) => ({
    text: `t${i} [x] "q" \\ 上海`,
    intent: `I.${i % 3}`,
    entities: i % 4 ? [] : [{ entity: 'num', start: 1, end: 1 + String(i).length }],
    ...(i % 2 ? { lang: 'en' as const } : {}),
  })).sort((a, b) => a.intent.localeCompare(b.intent) || (a.lang ?? '').localeCompare(b.lang ?? ''));
  const rest = { lookups: [{ name: 'city', elements: ['Paris'] }], synonyms: [{ value: 'Paris', synonyms: ['paris'] }], regexes: [{ name: 'id', pattern: 'A\\d' }, { name: 'id', pattern: 'B\\d' }] };
  const source: ExportSource = {
    async *examplePages() {
      for (let i = 0; i < examples.length; i += 7) yield examples.slice(i, i + 7);
    },
    resources: async () => rest,
  };
  return { source, data: { examples, ...rest } };
}

async function collect(it: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of it) s += c;
  return s;
}

describe('exportChunks', () => {
  const { source, data } = store(50);

  it.each([
    ['json', (s: string) => readJsonTrainingData(s)],
    ['ndjson', (s: string) => readNdjsonTrainingData(s)],
    ['rasa-yaml', (s: string) => readRasaYaml(s)],
  ] as const)('writes %s that imports back to the same data', async (format, read) => {
    const file = await collect(exportChunks(format, source));
    expect(read(file)).toEqual({ data, stats: { duplicatesMerged: 0, textsNormalized: 0 } });
  });

  it('wraps the file in the { format, content } envelope', async () => {
    const yaml = JSON.parse(await collect(exportChunks('rasa-yaml', source, { envelope: true })));
    expect(yaml.format).toBe('rasa-yaml');
    expect(yaml.content).toBe(await collect(exportChunks('rasa-yaml', source)));
    const json = JSON.parse(await collect(exportChunks('json', source, { envelope: true })));
    expect(json).toEqual({ format: 'json', content: JSON.parse(await collect(exportChunks('json', source))) });
  });

  it('writes one intent item per run of intent and lang in YAML', async () => {
    const yaml = await collect(exportChunks('rasa-yaml', source));
    expect(yaml.match(/^- intent:/gm)).toHaveLength(6);
  });

  it('exports an empty store', async () => {
    const empty: ExportSource = { async *examplePages() {}, resources: async () => ({ lookups: [], synonyms: [], regexes: [] }) };
    expect(JSON.parse(await collect(exportChunks('json', empty)))).toEqual({ examples: [], lookups: [], synonyms: [], regexes: [] });
    expect(await collect(exportChunks('ndjson', empty))).toBe('');
  });
});
