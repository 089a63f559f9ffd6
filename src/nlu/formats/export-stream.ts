/**
 * Streamed export: the training data as chunks of text, written as the example pages
 * arrive, so a store of any size is exported in bounded memory. Formats match the
 * importers exactly (what is exported imports again):
 *   - rasa-yaml: one `- intent:` item per run of examples with the same intent and lang
 *     (the pages come ordered by intent, lang, text), then synonyms, lookups, regexes;
 *   - json: the object form `{ examples, lookups, synonyms, regexes }`;
 *   - ndjson: one object per line.
 * With `envelope`, the file is wrapped as the API's `{ "format", "content" }` JSON (the
 * YAML and NDJSON text as one JSON string, escaped chunk by chunk).
 * Data comes from the store, where every row was validated on the way in, so nothing is
 * validated again here (the per-import limits do not apply to an export).
 */
import type { NluTrainingData, TrainingExample } from '../core/types';
import { renderEntityMarkup } from './entity-markup';
import { toJsonExample } from './json-format';
import { ndjsonExampleLine, ndjsonResourceLines } from './ndjson-format';
import { block, yamlString } from './rasa-yaml';

export type ExportFormat = 'rasa-yaml' | 'json' | 'ndjson';
type Resources = Pick<NluTrainingData, 'lookups' | 'synonyms' | 'regexes'>;

export interface ExportSource {
  examplePages(): AsyncIterable<TrainingExample[]>;
  resources(): Promise<Resources>;
}

async function* yamlChunks(source: ExportSource): AsyncGenerator<string> {
  yield 'version: "3.1"\nnlu:\n';
  let current: { intent: string; lang?: string } | null = null;
  for await (const page of source.examplePages()) {
    const out: string[] = [];
    for (const ex of page) {
      if (current === null || current.intent !== ex.intent || current.lang !== ex.lang) {
        out.push(`- intent: ${yamlString(ex.intent)}`);
        if (ex.lang !== undefined) out.push('  metadata:', `    lang: ${ex.lang}`);
        out.push('  examples: |');
        current = { intent: ex.intent, lang: ex.lang };
      }
      out.push(`    - ${renderEntityMarkup(ex.text, ex.entities)}`);
    }
    if (out.length) yield `${out.join('\n')}\n`;
  }
  const r = await source.resources();
  const out: string[] = [];
  for (const sy of r.synonyms) out.push(`- synonym: ${yamlString(sy.value)}`, ...block(sy.synonyms));
  for (const lu of r.lookups) out.push(`- lookup: ${yamlString(lu.name)}`, ...block(lu.elements));
  for (let i = 0; i < r.regexes.length; ) {
    const name = r.regexes[i].name;
    let j = i;
    while (j < r.regexes.length && r.regexes[j].name === name) j++;
    out.push(`- regex: ${yamlString(name)}`, ...block(r.regexes.slice(i, j).map((x) => x.pattern)));
    i = j;
  }
  if (out.length) yield `${out.join('\n')}\n`;
}

async function* jsonChunks(source: ExportSource): AsyncGenerator<string> {
  yield '{"examples":[';
  let first = true;
  for await (const page of source.examplePages()) {
    if (page.length === 0) continue;
    yield (first ? '' : ',') + page.map((ex) => JSON.stringify(toJsonExample(ex))).join(',');
    first = false;
  }
  const r = await source.resources();
  yield `],"lookups":${JSON.stringify(r.lookups)},"synonyms":${JSON.stringify(r.synonyms)},"regexes":${JSON.stringify(r.regexes)}}`;
}

async function* ndjsonChunks(source: ExportSource): AsyncGenerator<string> {
  for await (const page of source.examplePages()) if (page.length) yield page.map(ndjsonExampleLine).join('');
  const rest = ndjsonResourceLines(await source.resources());
  if (rest) yield rest;
}

const CHUNKS: Record<ExportFormat, (s: ExportSource) => AsyncGenerator<string>> = { 'rasa-yaml': yamlChunks, json: jsonChunks, ndjson: ndjsonChunks };

/** The export as text chunks; concatenated they are the whole file (or envelope). */
export async function* exportChunks(format: ExportFormat, source: ExportSource, options: { envelope?: boolean } = {}): AsyncGenerator<string> {
  const chunks = CHUNKS[format](source);
  if (!options.envelope) {
    yield* chunks;
    return;
  }
  yield `{"format":${JSON.stringify(format)},"content":${format === 'json' ? '' : '"'}`;
  // Each chunk ends at a line or value boundary, so escaping it alone equals escaping the whole.
  for await (const c of chunks) yield format === 'json' ? c : JSON.stringify(c).slice(1, -1);
  yield format === 'json' ? '}' : '"}';
}

/** Content type of the bare file of each format. */
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  'rasa-yaml': 'application/yaml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

export const EXPORT_FILE_NAMES: Record<ExportFormat, string> = { 'rasa-yaml': 'nlu.yml', json: 'nlu.json', ndjson: 'nlu.ndjson' };
