import { NluDataRepository } from '../../src/nlu/nlu-data.repository';
import type { TrainingExample } from '../../src/nlu/core/types';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';
import { mulberry32 as rng } from '../../src/common/random';

type Problem = { message: string; count: number; entry?: number; line?: number; field?: string; places: { entry?: number; line?: number; field?: string; detail?: string }[] };

/** Odd values of every JSON shape, and some strings that databases and parsers dislike. */
function oddValue(r: () => number, depth = 0): unknown {
  const strings = ['', ' ', '\u0000', '\ud800', 'a\nb', ' x ', '😀', '\u202e', 'x'.repeat(70_000), 'Greet', 'a.b-c_D', '{"a":', '[x](y', '__proto__', '\\', '\t', '\r\n'];
  const k = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (k) {
    case 0: return null;
    case 1: return [0, -1, 1.5, 1e308, -0, 2 ** 53, 70_000][Math.floor(r() * 7)];
    case 2: return strings[Math.floor(r() * strings.length)];
    case 3: return r() < 0.5;
    case 4: return 'play some jazz';
    case 5: return 'play_music';
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => oddValue(r, depth + 1));
    default: {
      const keys = ['text', 'intent', 'entities', 'lang', 'entity', 'start', 'end', 'value', 'role', 'examples', 'lookups', 'synonyms', 'regexes', 'name', 'elements', 'pattern', 'synonym', 'lookup', 'regex'];
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--) o[keys[Math.floor(r() * keys.length)]] = oddValue(r, depth + 1);
      return o;
    }
  }
}

/** An example shaped almost right, with one or two fields odd. */
function oddExample(r: () => number): unknown {
  const ex: Record<string, unknown> = { text: r() < 0.3 ? 'play some jazz' : `play ${Math.floor(r() * 5)} songs`, intent: r() < 0.5 ? 'play_music' : 'stop' };
  if (r() < 0.6) ex.entities = [{ entity: r() < 0.5 ? 'genre' : oddValue(r), start: r() < 0.5 ? 5 : oddValue(r), end: r() < 0.5 ? 9 : oddValue(r) }];
  const field = ['text', 'intent', 'entities', 'lang'][Math.floor(r() * 4)];
  if (r() < 0.7) ex[field] = oddValue(r);
  return ex;
}

describe.each(testDatabases())('NLU import and export on %s', (db) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ db, env: { NLU_BOOTSTRAP: 'false', NLU_IMPORT_BODY_LIMIT: '4mb' } });
  });
  afterAll(() => t.close());

  const importJson = (content: unknown, mode = 'replace') => t.http().post('/api/v1/nlu/import').send({ format: 'json', content, mode });

  describe('repeated texts', () => {
    it('merges repeats with the same intent and counts them', async () => {
      // the body of the issue, which answered 500
      const res = await importJson([
        { text: 'play some jazz', intent: 'play_music' },
        { text: 'play some jazz', intent: 'play_music' },
        { text: 'what is the weather', intent: 'get_weather' },
      ]).expect(200);
      expect(res.body).toMatchObject({ imported: { examples: 2 }, duplicatesMerged: 1, textsNormalized: 0 });
      const page = await t.http().get('/api/v1/nlu/examples').expect(200);
      expect(page.body.items.map((e: { text: string }) => e.text).sort()).toEqual(['play some jazz', 'what is the weather']);
      // a repeat that only differs by surrounding whitespace is the same text
      const padded = await importJson([{ text: 'play some jazz', intent: 'play_music' }, { text: ' play some jazz\n', intent: 'play_music' }], 'merge').expect(200);
      expect(padded.body).toMatchObject({ imported: { examples: 1 }, duplicatesMerged: 1, textsNormalized: 1 });
    });

    it('refuses repeats with conflicting intents, listing the text, the intents and their first places', async () => {
      const res = await importJson([
        { text: 'play some jazz', intent: 'play_music' },
        { text: 'stop', intent: 'stop_music' },
        { text: 'play some jazz', intent: 'PlayMusic' },
        { text: 'play some jazz', intent: 'play_music' },
      ]).expect(400);
      expect(res.body.details.conflicts).toEqual([
        { text: 'play some jazz', intents: [{ intent: 'play_music', places: [{ entry: 0 }, { entry: 3 }] }, { intent: 'PlayMusic', places: [{ entry: 2 }] }] },
      ]);
      expect(res.body.message).toMatch(/different intents/);
      const yaml = ['version: "3.1"', 'nlu:', '- intent: a', '  examples: |', '    - hello', '- intent: b', '  examples: |', '    - hello', ''].join('\n');
      const y = await t.http().post('/api/v1/nlu/import').send({ format: 'rasa-yaml', content: yaml }).expect(400);
      expect(y.body.details.conflicts[0]).toEqual({ text: 'hello', intents: [{ intent: 'a', places: [{ line: 5 }] }, { intent: 'b', places: [{ line: 8 }] }] });
    });

    it('never answers 500, whatever the shape of the input', async () => {
      const r = rng(9);
      const bodies: unknown[] = [
        null, 7, 'text', [], {}, { format: 'json' }, { format: 'json', content: null }, { format: 'json', content: 5 },
        { format: 'json', content: [[[]]] }, { format: 'rasa-yaml', content: { nlu: [] } }, { format: 'rasa-yaml', content: 'nlu:\n- intent: [x' },
        { format: 'ndjson', content: '{"text":"a","intent":"b"}\n[1]\nnull\n' }, { format: 'json', content: '{"examples": [' },
        { format: 'json', content: { examples: [{ text: 'a', intent: 'b' }], lookups: [{ name: 'x', elements: ['\u0000'] }], synonyms: [{ value: 'v'.repeat(300), synonyms: ['w'] }] } },
        { format: 'json', content: [{ text: 'a b', intent: 'x', entities: [{ entity: 'e', start: 0, end: 1, value: '\u0000' }] }] },
        { format: 'json', content: [{ text: 'a b', intent: 'x', entities: [{ entity: 'e', start: 0, end: 1, value: '\ud800' }] }] },
        { format: 'json', content: [{ text: 'a\ud800', intent: 'x' }, { text: 'a\ud801', intent: 'x' }] },
      ];
      for (let i = 0; i < 60; i++) bodies.push({ format: 'json', mode: 'merge', content: Array.from({ length: 1 + Math.floor(r() * 4) }, () => oddExample(r)) });
      for (let i = 0; i < 30; i++) bodies.push({ format: ['json', 'rasa-yaml', 'ndjson', 'x'][i % 4], mode: r() < 0.5 ? 'merge' : oddValue(r), content: oddValue(r) });
      for (const [i, body] of bodies.entries()) {
        const res = await t.http().post('/api/v1/nlu/import').set('Content-Type', 'application/json').send(JSON.stringify(body));
        if (res.status >= 500) throw new Error(`body ${i} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)} -> ${JSON.stringify(res.body).slice(0, 300)}`);
        expect([200, 400]).toContain(res.status);
      }
    });
  });

  describe('names, problem lists and normalization', () => {
    it('accepts the names real datasets use and keeps them as given', async () => {
      const res = await importJson([
        { text: 'add this song to my playlist', intent: 'AddToPlaylist', entities: [{ entity: 'music_item', value: 'song' }] },
        { text: 'book a table for tonight', intent: 'BookRestaurant', entities: [{ entity: 'timeRange', value: 'tonight' }] },
        { text: 'what is the weather', intent: 'weather.query-v2', entities: [] },
      ]).expect(200);
      expect(res.body.imported.examples).toBe(3);
      const intents = await t.http().get('/api/v1/nlu/intents').expect(200);
      expect(intents.body.map((i: { intent: string }) => i.intent).sort()).toEqual(['AddToPlaylist', 'BookRestaurant', 'weather.query-v2']);
    });

    it('reports each distinct problem once, with a count and the first places', async () => {
      const content = Array.from({ length: 300 }, (_, i) => ({ text: `play song ${i}`, intent: 'play music', entities: [{ entity: 'n', start: 5, end: 99 }] }));
      const res = await importJson(content).expect(400);
      const problems = res.body.details.problems as Problem[];
      expect(problems).toHaveLength(2);
      const intent = problems.find((p) => /intent name "play music"/.test(p.message))!;
      expect(intent).toMatchObject({ count: 300, entry: 0, field: '[0].intent' });
      expect(intent.places.map((p) => p.entry)).toEqual([0, 1, 2, 3, 4]);
      const span = problems.find((p) => /not inside the text/.test(p.message))!;
      expect(span.count).toBe(300);
      expect(span.places[1]).toMatchObject({ entry: 1, field: '[1].entities[0]' });
    });

    it('normalizes whitespace and line breaks in texts, shifting entity offsets; an entity left outside the text is reported', async () => {
      const res = await importJson([
        { text: '  book a table\r\n for  Friday \n', intent: 'book', entities: [{ entity: 'day', start: 21, end: 29 }] },
        { text: '\tplay jazz', intent: 'play', entities: [{ entity: 'genre', start: 5, end: 10 }] },
      ]).expect(200);
      expect(res.body.textsNormalized).toBe(2);
      const page = await t.http().get('/api/v1/nlu/examples').expect(200);
      const byText = Object.fromEntries(page.body.items.map((e: { text: string; entities: unknown[] }) => [e.text, e.entities]));
      expect(byText['book a table for  Friday']).toEqual([{ entity: 'day', start: 18, end: 24 }]);
      expect(byText['play jazz']).toEqual([{ entity: 'genre', start: 5, end: 9 }]);
      const outside = await importJson([{ text: 'play jazz \n ', intent: 'play', entities: [{ entity: 'genre', start: 9, end: 12 }] }]).expect(400);
      expect(outside.body.details.problems[0]).toMatchObject({ entry: 0, message: expect.stringMatching(/outside the text/) });
    });

    it('refuses empty or whitespace-only parse input with a 400', async () => {
      for (const text of ['', '   ', '\n\t']) {
        const res = await t.http().post('/api/v1/nlu/parse').send({ text }).expect(400);
        expect(res.body.message).toMatch(/text/);
      }
      await t.http().post('/api/v1/nlu/parse/batch').send({ texts: ['hello', ' '] }).expect(400);
    });
  });

  describe('large imports', () => {
    const dataset = (n: number): TrainingExample[] =>
      Array.from({ length: n }, (_, i) => ({ text: `please book flight number ${i} to city ${i % 97} tomorrow morning`, intent: `intent_${i % 150}`, entities: [{ entity: 'flight', start: 26, end: 26 + String(i).length }] }));

    it('takes a 1.35 MB JSON body on the import limit; other routes keep BODY_LIMIT', async () => {
      const examples = dataset(15_000);
      const body = JSON.stringify({ format: 'json', mode: 'replace', content: examples });
      expect(body.length).toBeGreaterThan(1.35 * 1024 * 1024);
      const res = await t.http().post('/api/v1/nlu/import').set('Content-Type', 'application/json').send(body).expect(200);
      expect(res.body.imported.examples).toBe(15_000);
      const big = await t.http().post('/api/v1/nlu/examples').set('Content-Type', 'application/json').send(JSON.stringify({ text: 'x'.repeat(1_100_000), intent: 'a' })).expect(413);
      expect(big.body.message).toMatch(/BODY_LIMIT/);
      const tooBig = await t.http().post('/api/v1/nlu/import').set('Content-Type', 'application/json').send(JSON.stringify({ format: 'json', content: dataset(50_000) })).expect(413);
      expect(tooBig.body.message).toMatch(/NLU_IMPORT_BODY_LIMIT/);
    });

    it('imports NDJSON and Rasa YAML uploads, all or nothing', async () => {
      const lines = dataset(2000).map((e) => JSON.stringify(e));
      lines.push(JSON.stringify({ lookup: 'city', elements: ['Paris', 'Berlin'] }), JSON.stringify({ synonym: 'Paris', synonyms: ['paris'] }));
      const ok = await t.http().post('/api/v1/nlu/import/file?mode=replace').set('Content-Type', 'application/x-ndjson').send(lines.join('\n') + '\n').expect(200);
      expect(ok.body).toMatchObject({ mode: 'replace', imported: { examples: 2000, lookups: 1, synonyms: 1 } });
      const bad = [...lines.slice(0, 1500), '{"text": "x", "intent": "y", "entites": []}', ...lines.slice(1500)].join('\n');
      const refused = await t.http().post('/api/v1/nlu/import/file?mode=replace').set('Content-Type', 'application/x-ndjson').send(bad).expect(400);
      expect(refused.body.details.problems[0]).toMatchObject({ line: 1501, field: 'entites' });
      const yaml = ['version: "3.1"', 'nlu:', '- intent: greet', '  examples: |', '    - hello there', '    - 你好', ''].join('\n');
      const y = await t.http().post('/api/v1/nlu/import/file?mode=merge').set('Content-Type', 'application/yaml').send(yaml).expect(200);
      expect(y.body.imported.examples).toBe(2);
      const count = await t.http().get('/api/v1/nlu/examples?limit=1').expect(200);
      expect(count.body.total).toBe(2002);
    });
  });

  describe('export of a large store', () => {
    it('streams more than 50,000 examples, and the export imports again', async () => {
      const n = 50_500;
      const examples: TrainingExample[] = Array.from({ length: n }, (_, i) => ({ text: `t${i} [x] "q"`, intent: `I.${i % 40}`, lang: i % 3 ? 'en' : 'zh', entities: i % 5 ? [] : [{ entity: 'num', start: 1, end: 1 + String(i).length }] }));
      await t.app.get(NluDataRepository).importData('default', { examples, lookups: [{ name: 'city', elements: ['Paris'] }], synonyms: [], regexes: [] }, 'replace');

      const json = await t.http().get('/api/v1/nlu/export?format=json').expect(200);
      expect(json.body.format).toBe('json');
      expect(json.body.content.examples).toHaveLength(n);
      expect(json.body.content.lookups).toEqual([{ name: 'city', elements: ['Paris'] }]);

      const nd = await t.http().get('/api/v1/nlu/export?format=ndjson&file=true').buffer(true).parse((res, cb) => {
        let s = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (s += c));
        res.on('end', () => cb(null, s));
      }).expect(200);
      expect(nd.headers['content-type']).toMatch(/application\/x-ndjson/);
      const text = nd.body as string;
      expect(text.trimEnd().split('\n')).toHaveLength(n + 1);
      const back = await t.http().post('/api/v1/nlu/import/file?mode=replace').set('Content-Type', 'application/x-ndjson').send(text).expect(200);
      expect(back.body.imported).toEqual({ examples: n, lookups: 1, synonyms: 0, regexes: 0 });

      const sample = await t.http().get('/api/v1/nlu/examples').query({ q: 't10 [' }).expect(200);
      expect(sample.body.items[0]).toMatchObject({ text: 't10 [x] "q"', intent: 'I.10', lang: 'en', entities: [{ entity: 'num', start: 1, end: 3 }] });

      // YAML: one intent item per (intent, lang), every example a line (its re-import is in the format specs)
      const yaml = (await t.http().get('/api/v1/nlu/export?format=rasa-yaml').expect(200)).body.content as string;
      expect(yaml.match(/^- intent: /gm)).toHaveLength(80);
      expect(yaml.match(/^ {4}- t(\d+|\[\d+\]\(num\)) \\\[x\\\] "q"$/gm)).toHaveLength(n);
    });
  });
});
