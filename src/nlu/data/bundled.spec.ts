import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { NluTrainingData, TrainingExample } from '../core/types';
import { parseJsonTrainingData, toJsonTrainingData } from '../formats/json-format';
import { parseRasaYaml, toRasaYaml } from '../formats/rasa-yaml';
import { BUNDLED_FILES, bundledDataDir, findBundledDataDir, loadBundledTrainingData } from './bundled';

const INTENTS = [
  'weather_query', 'order_product', 'ask_price', 'membership_discount', 'product_recommendation', 'order_status',
  'greet', 'goodbye', 'thanks', 'affirm', 'deny', 'chitchat', 'out_of_scope',
];
const ENTITIES = ['city', 'date', 'product', 'book_title', 'category', 'quantity', 'price', 'order_id'];

describe('bundled training data', () => {
  let data: NluTrainingData;
  beforeAll(() => {
    data = loadBundledTrainingData();
  });

  it.each(['zh', 'en'])('has at least 45 examples of every intent in %s, and no other intents', (lang) => {
    const counts = new Map<string, number>();
    for (const ex of data.examples.filter((e) => e.lang === lang)) counts.set(ex.intent, (counts.get(ex.intent) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...INTENTS].sort());
    const short = INTENTS.filter((intent) => (counts.get(intent) ?? 0) < 45).map((i) => `${i}: ${counts.get(i) ?? 0}`);
    expect(short).toEqual([]);
  });

  it('tags every example with the language of its file', () => {
    expect(data.examples.every((e) => e.lang === 'zh' || e.lang === 'en')).toBe(true);
    expect(data.examples.filter((e) => /\p{Script=Han}/u.test(e.text)).every((e) => e.lang === 'zh')).toBe(true);
  });

  it('has annotations whose offsets cover exactly the marked-up text', () => {
    // Independent of the importer: pull each [surface](...) / [surface]{...} from the raw
    // lines and compare with text.slice(start, end) of the loaded example, in order.
    const markup = /\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})/g;
    const expected: string[][] = [];
    for (const { file } of BUNDLED_FILES) {
      const raw = fs.readFileSync(path.join(bundledDataDir(), file), 'utf8');
      const intentBlocks = raw.split(/^- /m).filter((b) => b.startsWith('intent:'));
      for (const block of intentBlocks)
        for (const line of block.split('\n').filter((l) => /^\s{4}- /.test(l))) expected.push([...line.matchAll(markup)].map((m) => m[1]));
    }
    const actual = data.examples.map((ex) => ex.entities.map((e) => ex.text.slice(e.start, e.end)));
    expect(actual).toEqual(expected);
    for (const ex of data.examples)
      for (const e of ex.entities) {
        expect(e.start).toBeGreaterThanOrEqual(0);
        expect(e.end).toBeLessThanOrEqual(ex.text.length);
        expect(ex.text.slice(e.start, e.end).trim()).toBe(ex.text.slice(e.start, e.end));
      }
  });

  it('uses only the documented entity types, and all of them', () => {
    const used = new Set(data.examples.flatMap((e) => e.entities.map((a) => a.entity)));
    expect([...used].sort()).toEqual([...ENTITIES].sort());
  });

  it.each<[string, string, Record<string, string>]>([
    ['今天的天气怎么样？', 'weather_query', { date: '今天' }],
    ['我要订购一本小说', 'order_product', { quantity: '一本', category: '小说' }],
    ['《斗破苍穹》', 'order_product', { book_title: '斗破苍穹' }],
    ['我正在浏览T恤衫，请推荐一些', 'product_recommendation', { category: 'T恤衫' }],
  ])('contains the product example %s', (text, intent, entities) => {
    const ex = data.examples.find((e) => e.text === text) as TrainingExample;
    expect(ex).toBeDefined();
    expect(ex.intent).toBe(intent);
    expect(Object.fromEntries(ex.entities.map((e) => [e.entity, ex.text.slice(e.start, e.end)]))).toEqual(entities);
  });

  it('has no duplicate examples, even ignoring case, spaces and punctuation', () => {
    const norm = (e: TrainingExample) => `${e.lang}:${e.text.toLowerCase().replace(/[\p{P}\p{S}\s]/gu, '')}`;
    const seen = new Map<string, string>();
    const dups: string[] = [];
    for (const ex of data.examples) {
      const key = norm(ex);
      if (seen.has(key)) dups.push(`${ex.text} ~ ${seen.get(key)}`);
      seen.set(key, ex.text);
    }
    expect(dups).toEqual([]);
  });

  it('is not a template cross-product: most examples of each intent have their own shape', () => {
    // Replace every entity by its type; count the distinct shapes per intent and language.
    for (const lang of ['zh', 'en'])
      for (const intent of INTENTS) {
        const examples = data.examples.filter((e) => e.lang === lang && e.intent === intent);
        const shapes = new Set(
          examples.map((ex) => {
            let s = ex.text;
            for (const e of [...ex.entities].sort((a, b) => b.start - a.start)) s = `${s.slice(0, e.start)}<${e.entity}>${s.slice(e.end)}`;
            return s;
          }),
        );
        expect({ lang, intent, ratio: shapes.size / examples.length >= 0.9 }).toEqual({ lang, intent, ratio: true });
      }
  });

  it('maps every annotated city and category to a canonical value', () => {
    const canonical = new Map<string, string>();
    for (const s of data.synonyms) for (const v of s.synonyms) canonical.set(v, s.value);
    const resolve = (ex: TrainingExample, i: number) => {
      const e = ex.entities[i];
      const surface = ex.text.slice(e.start, e.end);
      return e.value ?? canonical.get(surface) ?? surface;
    };
    for (const ex of data.examples)
      ex.entities.forEach((e, i) => {
        if (e.entity === 'city') expect(resolve(ex, i)).toMatch(/^[A-Z][A-Za-z' ]+$/);
        if (e.entity === 'category') expect(resolve(ex, i)).toMatch(/^[a-z][a-z0-9' -]*$/);
      });
    expect(canonical.get('沪')).toBe('Shanghai');
    expect(canonical.get('Peking')).toBe('Beijing');
    expect(canonical.get('tee')).toBe('t-shirt');
    expect(canonical.get('T恤衫')).toBe('t-shirt');
  });

  it('merges lookups, synonyms and regexes of both files by name', () => {
    const names = data.lookups.map((l) => l.name);
    expect(names).toEqual([...new Set(names)]);
    expect(data.lookups.find((l) => l.name === 'city')?.elements).toEqual(expect.arrayContaining(['上海', 'Shanghai']));
    const shanghai = data.synonyms.filter((s) => s.value === 'Shanghai');
    expect(shanghai).toHaveLength(1);
    expect(shanghai[0].synonyms).toEqual(expect.arrayContaining(['沪', 'shanghai']));
    const orderId = data.regexes.filter((r) => r.name === 'order_id').map((r) => new RegExp(r.pattern, 'u'));
    expect(orderId.length).toBeGreaterThan(0);
    for (const ex of data.examples)
      for (const e of ex.entities.filter((a) => a.entity === 'order_id'))
        expect(orderId.some((re) => re.exec(ex.text)?.[0] === ex.text.slice(e.start, e.end))).toBe(true);
  });

  it('survives a YAML and a JSON round trip', () => {
    const sorted = (d: NluTrainingData) => ({ ...d, examples: d.examples.map((e) => ({ ...e, entities: [...e.entities].sort((a, b) => a.start - b.start) })) });
    // A text in both language files is one example once imported (the first one is kept).
    const seen = new Set<string>();
    const unique = { ...data, examples: data.examples.filter((e) => !seen.has(e.text) && !!seen.add(e.text)) };
    expect(parseRasaYaml(toRasaYaml(data))).toStrictEqual(sorted(unique));
    expect(parseJsonTrainingData(JSON.stringify(toJsonTrainingData(data)))).toStrictEqual(unique);
  });

  it('returns a fresh copy on every call', () => {
    const again = loadBundledTrainingData();
    expect(again).toEqual(data);
    expect(again.examples).not.toBe(data.examples);
  });
});

describe('findBundledDataDir', () => {
  const srcDir = path.resolve(__dirname);

  it('finds the files next to the code (ts-jest, src/)', () => {
    expect(findBundledDataDir(srcDir)).toBe(srcDir);
  });

  it('falls back to <repo>/src/nlu/data when the compiled dist/src/nlu/data lacks the files', () => {
    // (nest build copies them into dist; this is for builds that do not)
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'llmos-bundled-'));
    const dist = path.join(repo, 'dist', 'src', 'nlu', 'data');
    const src = path.join(repo, 'src', 'nlu', 'data');
    fs.mkdirSync(dist, { recursive: true });
    fs.mkdirSync(src, { recursive: true });
    for (const { file } of BUNDLED_FILES) fs.copyFileSync(path.join(srcDir, file), path.join(src, file));
    expect(findBundledDataDir(dist)).toBe(src);
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('says where it looked when the files are missing', () => {
    expect(() => findBundledDataDir('/nonexistent/a/b/c/d')).toThrow(/not found in \/nonexistent\/a\/b\/c\/d or /);
  });
});
