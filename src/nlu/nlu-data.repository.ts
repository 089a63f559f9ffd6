import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { NluTrainingData, TrainingExample } from './core/types';
import { NluExampleEntity, NluLookupEntity, NluRegexEntity, NluSynonymEntity } from './nlu.entities';

const UPSERT_CHUNK = 2000;
const EXPORT_PAGE = 2000;

export interface ExampleFilter {
  intent?: string;
  lang?: string;
  q?: string;
  limit: number;
  offset: number;
}

/** The NLU training-data tables. Imports replace or merge in one transaction. */
@Injectable()
export class NluDataRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  countExamples(): Promise<number> {
    return this.ds.getRepository(NluExampleEntity).count();
  }

  async listExamples(f: ExampleFilter): Promise<{ items: NluExampleEntity[]; total: number }> {
    const qb = this.ds.getRepository(NluExampleEntity).createQueryBuilder('e').orderBy('e.intent').addOrderBy('e.created_at').addOrderBy('e.id');
    if (f.intent) qb.andWhere('e.intent = :intent', { intent: f.intent });
    if (f.lang) qb.andWhere('e.lang = :lang', { lang: f.lang });
    if (f.q) qb.andWhere('e.text ILIKE :q', { q: `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` });
    const [items, total] = await qb.take(f.limit).skip(f.offset).getManyAndCount();
    return { items, total };
  }

  findExample(id: string): Promise<NluExampleEntity | null> {
    return this.ds.getRepository(NluExampleEntity).findOneBy({ id });
  }

  findExampleByText(text: string): Promise<NluExampleEntity | null> {
    return this.ds.getRepository(NluExampleEntity).findOneBy({ text });
  }

  saveExample(e: Partial<NluExampleEntity>): Promise<NluExampleEntity> {
    const repo = this.ds.getRepository(NluExampleEntity);
    return repo.save(repo.create(e));
  }

  async deleteExample(id: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluExampleEntity).delete({ id })).affected ?? 0) > 0;
  }

  async deleteIntent(intent: string): Promise<number> {
    return (await this.ds.getRepository(NluExampleEntity).delete({ intent })).affected ?? 0;
  }

  async intents(): Promise<{ intent: string; examples: number; zh: number; en: number }[]> {
    const rows: { intent: string; examples: string | number; zh: string | number; en: string | number }[] = await this.ds.query(
      `SELECT intent, count(*) AS examples, count(*) FILTER (WHERE lang = 'zh') AS zh, count(*) FILTER (WHERE lang = 'en') AS en FROM nlu_examples GROUP BY intent ORDER BY intent`,
    );
    return rows.map((r) => ({ intent: r.intent, examples: Number(r.examples), zh: Number(r.zh), en: Number(r.en) }));
  }

  /** The entity names the examples annotate, without reading the examples (one SQL over the jsonb). */
  async annotatedEntityNames(): Promise<string[]> {
    const rows: { name: string }[] = await this.ds.query(`SELECT DISTINCT a->>'entity' AS name FROM nlu_examples, jsonb_array_elements(entities) AS a WHERE a->>'entity' IS NOT NULL`);
    return rows.map((r) => r.name).sort();
  }

  async lookups(): Promise<NluLookupEntity[]> {
    return this.ds.getRepository(NluLookupEntity).find({ order: { name: 'ASC' } });
  }

  async synonyms(): Promise<NluSynonymEntity[]> {
    return this.ds.getRepository(NluSynonymEntity).find({ order: { value: 'ASC' } });
  }

  async regexes(): Promise<NluRegexEntity[]> {
    return this.ds.getRepository(NluRegexEntity).find({ order: { name: 'ASC' } });
  }

  async putLookup(name: string, elements: string[]): Promise<void> {
    await this.ds.getRepository(NluLookupEntity).save({ name, elements });
  }

  async putSynonym(value: string, synonyms: string[]): Promise<void> {
    await this.ds.getRepository(NluSynonymEntity).save({ value, synonyms });
  }

  async putRegex(name: string, patterns: string[]): Promise<void> {
    await this.ds.getRepository(NluRegexEntity).save({ name, patterns });
  }

  async deleteLookup(name: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluLookupEntity).delete({ name })).affected ?? 0) > 0;
  }

  async deleteSynonym(value: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluSynonymEntity).delete({ value })).affected ?? 0) > 0;
  }

  async deleteRegex(name: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluRegexEntity).delete({ name })).affected ?? 0) > 0;
  }

  /** Everything, in the shared training-data shape. */
  async load(): Promise<NluTrainingData> {
    // Page by page (the embedded database runs on the main thread: one query over 15k rows
    // held it for a noticeable pause); in export order, by intent, language and text.
    const examples: TrainingExample[] = [];
    for await (const page of this.examplePages()) examples.push(...page);
    const [lookups, synonyms, regexes] = await Promise.all([this.lookups(), this.synonyms(), this.regexes()]);
    return {
      examples,
      lookups: lookups.map((l) => ({ name: l.name, elements: l.elements })),
      synonyms: synonyms.map((s) => ({ value: s.value, synonyms: s.synonyms })),
      regexes: regexes.flatMap((r) => r.patterns.map((pattern) => ({ name: r.name, pattern }))),
    };
  }

  /**
   * Writes imported data in one transaction: all of it or none. `replace` empties the
   * tables first; `merge` upserts (an example's text is its key; lookups, synonyms and
   * regexes gain the new values).
   */
  async importData(data: NluTrainingData, mode: 'merge' | 'replace'): Promise<{ examples: number; lookups: number; synonyms: number; regexes: number }> {
    return this.ds.transaction(async (m) => {
      if (mode === 'replace') {
        for (const t of ['nlu_examples', 'nlu_lookups', 'nlu_synonyms', 'nlu_regexes']) await m.query(`DELETE FROM ${t}`);
      }
      await this.upsertExamples(m, data.examples);
      const lookups = groupBy(data.lookups.map((l) => [l.name, l.elements]));
      for (const [name, elements] of lookups) await this.mergeJsonList(m, 'nlu_lookups', 'name', 'elements', name, elements);
      const synonyms = groupBy(data.synonyms.map((s) => [s.value, s.synonyms]));
      for (const [value, list] of synonyms) await this.mergeJsonList(m, 'nlu_synonyms', 'value', 'synonyms', value, list);
      const regexes = groupBy(data.regexes.map((r) => [r.name, [r.pattern]]));
      for (const [name, patterns] of regexes) await this.mergeJsonList(m, 'nlu_regexes', 'name', 'patterns', name, patterns);
      return { examples: data.examples.length, lookups: lookups.size, synonyms: synonyms.size, regexes: regexes.size };
    });
  }

  /**
   * Upserts in chunks, each one statement over a JSON array (one parameter, so a 50k-row
   * import is a few dozen statements on PGlite and Postgres alike). A text repeated inside
   * one statement would make ON CONFLICT fail ("cannot affect row a second time"): importers
   * merge repeats before this, and the last occurrence wins here should any remain.
   */
  private async upsertExamples(m: EntityManager, examples: TrainingExample[]): Promise<void> {
    const unique = [...new Map(examples.map((e) => [e.text, e])).values()];
    for (let i = 0; i < unique.length; i += UPSERT_CHUNK) {
      const rows = unique.slice(i, i + UPSERT_CHUNK).map((e) => ({ text: e.text, intent: e.intent, entities: e.entities, lang: e.lang ?? null }));
      await m.query(
        `INSERT INTO nlu_examples (text, intent, entities, lang)
         SELECT r->>'text', r->>'intent', r->'entities', r->>'lang' FROM jsonb_array_elements($1::jsonb) AS r
         ON CONFLICT (text) DO UPDATE SET intent = EXCLUDED.intent, entities = EXCLUDED.entities, lang = EXCLUDED.lang, updated_at = now()`,
        [JSON.stringify(rows)],
      );
    }
  }

  /**
   * Every example in pages, ordered by intent, lang and text (so YAML groups by intent), for
   * streamed exports of any size: each page is a keyset query inside one (intent, lang)
   * group, never an OFFSET scan and never the whole table in memory. Not a snapshot: rows
   * written while an export runs may or may not be in it.
   */
  async *examplePages(pageSize = EXPORT_PAGE): AsyncGenerator<TrainingExample[]> {
    const groups: { intent: string; lang: string | null }[] = await this.ds.query(
      `SELECT intent, lang FROM nlu_examples GROUP BY intent, lang ORDER BY intent, lang NULLS FIRST`,
    );
    for (const g of groups) {
      let after: string | null = null;
      for (;;) {
        const rows: { text: string; entities: TrainingExample['entities'] }[] = await this.ds.query(
          `SELECT text, entities FROM nlu_examples
           WHERE intent = $1 AND lang IS NOT DISTINCT FROM $2 AND ($3::varchar IS NULL OR text > $3::varchar)
           ORDER BY text LIMIT ${Number(pageSize)}`,
          [g.intent, g.lang, after],
        );
        // PGlite answers in microtasks: without a macrotask turn between pages, reading 150
        // groups would run as one block and hold every other request (a 260 ms pause at 15k).
        await new Promise((r) => setImmediate(r));
        if (rows.length === 0) break;
        yield rows.map((r) => ({ text: r.text, intent: g.intent, entities: r.entities, ...(g.lang ? { lang: g.lang as TrainingExample['lang'] } : {}) }));
        if (rows.length < pageSize) break;
        after = rows[rows.length - 1].text;
      }
    }
  }

  /** Lookups, synonyms and regexes (small next to the examples) in the shared shape. */
  async resources(): Promise<Pick<NluTrainingData, 'lookups' | 'synonyms' | 'regexes'>> {
    const [lookups, synonyms, regexes] = await Promise.all([this.lookups(), this.synonyms(), this.regexes()]);
    return {
      lookups: lookups.map((l) => ({ name: l.name, elements: l.elements })),
      synonyms: synonyms.map((s) => ({ value: s.value, synonyms: s.synonyms })),
      regexes: regexes.flatMap((r) => r.patterns.map((pattern) => ({ name: r.name, pattern }))),
    };
  }

  private async mergeJsonList(m: EntityManager, table: string, keyCol: string, listCol: string, key: string, values: string[]): Promise<void> {
    const existing: { list: string[] }[] = await m.query(`SELECT ${listCol} AS list FROM ${table} WHERE ${keyCol} = $1`, [key]);
    const merged = [...new Set([...(existing[0]?.list ?? []), ...values])];
    await m.query(
      `INSERT INTO ${table} (${keyCol}, ${listCol}) VALUES ($1, $2::jsonb) ON CONFLICT (${keyCol}) DO UPDATE SET ${listCol} = EXCLUDED.${listCol}, updated_at = now()`,
      [key, JSON.stringify(merged)],
    );
  }
}

function groupBy(pairs: [string, string[]][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of pairs) out.set(k, [...(out.get(k) ?? []), ...v]);
  return out;
}
