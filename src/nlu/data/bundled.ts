/**
 * The NLU training data shipped with the server (zh.yml, en.yml beside this file), loaded
 * on first start so the assistant answers out of the box.
 *
 * Why YAML files read at run time rather than a TypeScript constant: they are the Rasa
 * format users edit and import, so they double as a live test of the importer, and people
 * can read and extend them without touching code.
 *
 * Where the files are found: `nest build` compiles this file to dist/src/nlu/data/ but
 * copies no .yml there, so the loader looks next to itself first (ts-jest, or a build that
 * copies the assets) and then at <repo>/src/nlu/data/ (four levels above dist/src/nlu/data).
 * A deployment image must therefore keep src/nlu/data/*.yml (or copy them into dist).
 *
 * Decisions recorded in the data:
 * - A bare book title (《斗破苍穹》, "Normal People") is order_product: in a shop a title on
 *   its own means "I want this book"; the order form asks quantity and confirmation next.
 * - Canonical values (synonyms): cities -> English names (上海/沪/魔都/shanghai -> Shanghai),
 *   categories -> lowercase English ids (T恤衫/tee/t-shirts -> t-shirt, 小说/novels -> novel),
 *   so both languages resolve to the same catalog and weather keys.
 * - Dates stay as written (明天, next Monday); resolving them is the date extractor's job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Lang, LookupTable, NluTrainingData, RegexPattern, Synonym } from '../core/types';
import { parseRasaYaml } from '../formats/rasa-yaml';
import { TrainingDataFormatError, assertValidTrainingData } from '../formats/validation';

/** The bundled files and the language each one holds. */
export const BUNDLED_FILES: readonly { file: string; lang: Lang }[] = [
  { file: 'zh.yml', lang: 'zh' },
  { file: 'en.yml', lang: 'en' },
];

/** The folder holding the bundled .yml files; throws when neither candidate has them. */
export function bundledDataDir(): string {
  return findBundledDataDir(__dirname);
}

/** `codeDir` is where this module runs from: src/nlu/data or dist/src/nlu/data. */
export function findBundledDataDir(codeDir: string): string {
  const candidates = [codeDir, path.resolve(codeDir, '..', '..', '..', '..', 'src', 'nlu', 'data')];
  const found = candidates.find((dir) => BUNDLED_FILES.every(({ file }) => fs.existsSync(path.join(dir, file))));
  if (found === undefined)
    throw new Error(`bundled NLU training data (${BUNDLED_FILES.map((f) => f.file).join(', ')}) not found in ${candidates.join(' or ')}`);
  return found;
}

/** Lookups with the same name become one table (elements in first-seen order, no repeats). */
function mergeLookups(tables: LookupTable[]): LookupTable[] {
  const byName = new Map<string, string[]>();
  for (const t of tables) {
    const elements = byName.get(t.name) ?? [];
    for (const e of t.elements) if (!elements.includes(e)) elements.push(e);
    byName.set(t.name, elements);
  }
  return [...byName].map(([name, elements]) => ({ name, elements }));
}

/** Synonym entries for the same canonical value become one entry. */
function mergeSynonyms(entries: Synonym[]): Synonym[] {
  const byValue = new Map<string, string[]>();
  for (const s of entries) {
    const list = byValue.get(s.value) ?? [];
    for (const v of s.synonyms) if (!list.includes(v)) list.push(v);
    byValue.set(s.value, list);
  }
  return [...byValue].map(([value, synonyms]) => ({ value, synonyms }));
}

function uniqueRegexes(patterns: RegexPattern[]): RegexPattern[] {
  const seen = new Set<string>();
  return patterns.filter((r) => {
    const key = `${r.name}\u0000${r.pattern}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Reads and parses the bundled files (a fresh copy each call, so callers may mutate it).
 * Examples carry `lang` from their file; lookups, synonyms and regexes of both files are
 * merged by name/value. Throws TrainingDataFormatError, naming the file, if the data is bad.
 */
export function loadBundledTrainingData(): NluTrainingData {
  const dir = bundledDataDir();
  const merged: NluTrainingData = { examples: [], lookups: [], synonyms: [], regexes: [] };
  for (const { file, lang } of BUNDLED_FILES) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    let data: NluTrainingData;
    try {
      data = parseRasaYaml(source, { lang });
    } catch (err) {
      if (err instanceof TrainingDataFormatError)
        throw new TrainingDataFormatError(err.problems.map((p) => ({ ...p, message: `${file}: ${p.message}` })));
      throw err;
    }
    merged.examples.push(...data.examples);
    merged.lookups.push(...data.lookups);
    merged.synonyms.push(...data.synonyms);
    merged.regexes.push(...data.regexes);
  }
  const result: NluTrainingData = {
    examples: merged.examples,
    lookups: mergeLookups(merged.lookups),
    synonyms: mergeSynonyms(merged.synonyms),
    regexes: uniqueRegexes(merged.regexes),
  };
  // Each file is valid alone; this catches what only shows once they are combined
  // (a synonym claimed by two canonical values, one text with two intents).
  assertValidTrainingData(result);
  return result;
}
