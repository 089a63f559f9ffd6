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

/** The NLU training-data tables, every query scoped to one project. Imports replace or merge in one transaction. */
@Injectable()
export class NluDataRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  countExamples(project: string): Promise<number> {
    return this.ds.getRepository(NluExampleEntity).countBy({ projectId: project });
  }

  async listExamples(project: string, f: ExampleFilter): Promise<{ items: NluExampleEntity[]; total: number }> {
    const qb = this.ds.getRepository(NluExampleEntity).createQueryBuilder('e').where('e.project_id = :project', { project }).orderBy('e.intent').addOrderBy('e.created_at').addOrderBy('e.id');
    if (f.intent) qb.andWhere('e.intent = :intent', { intent: f.intent });
    if (f.lang) qb.andWhere('e.lang = :lang', { lang: f.lang });
    if (f.q) qb.andWhere('e.text ILIKE :q', { q: `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` });
    const [items, total] = await qb.take(f.limit).skip(f.offset).getManyAndCount();
    return { items, total };
  }

  findExample(project: string, id: string): Promise<NluExampleEntity | null> {
    return this.ds.getRepository(NluExampleEntity).findOneBy({ projectId: project, id });
  }

  findExampleByText(project: string, text: string): Promise<NluExampleEntity | null> {
    return this.ds.getRepository(NluExampleEntity).findOneBy({ projectId: project, text });
  }

  saveExample(project: string, e: Partial<NluExampleEntity>): Promise<NluExampleEntity> {
    const repo = this.ds.getRepository(NluExampleEntity);
    return repo.save(repo.create({ ...e, projectId: project }));
  }

  async deleteExample(project: string, id: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluExampleEntity).delete({ projectId: project, id })).affected ?? 0) > 0;
  }

  async deleteIntent(project: string, intent: string): Promise<number> {
    return (await this.ds.getRepository(NluExampleEntity).delete({ projectId: project, intent })).affected ?? 0;
  }

  async intents(project: string): Promise<{ intent: string; examples: number; zh: number; en: number }[]> {
    const rows: { intent: string; examples: string | number; zh: string | number; en: string | number }[] = await this.ds.query(
      `SELECT intent, count(*) AS examples, count(*) FILTER (WHERE lang = 'zh') AS zh, count(*) FILTER (WHERE lang = 'en') AS en FROM nlu_examples WHERE project_id = $1 GROUP BY intent ORDER BY intent`,
      [project],
    );
    return rows.map((r) => ({ intent: r.intent, examples: Number(r.examples), zh: Number(r.zh), en: Number(r.en) }));
  }

  /** The entity names the examples annotate, without reading the examples (one SQL over the jsonb). */
  async annotatedEntityNames(project: string): Promise<string[]> {
    const rows: { name: string }[] = await this.ds.query(
      `SELECT DISTINCT a->>'entity' AS name FROM nlu_examples, jsonb_array_elements(entities) AS a WHERE project_id = $1 AND a->>'entity' IS NOT NULL`,
      [project],
    );
    return rows.map((r) => r.name).sort();
  }

  async lookups(project: string): Promise<NluLookupEntity[]> {
    return this.ds.getRepository(NluLookupEntity).find({ where: { projectId: project }, order: { name: 'ASC' } });
  }

  async synonyms(project: string): Promise<NluSynonymEntity[]> {
    return this.ds.getRepository(NluSynonymEntity).find({ where: { projectId: project }, order: { value: 'ASC' } });
  }

  async regexes(project: string): Promise<NluRegexEntity[]> {
    return this.ds.getRepository(NluRegexEntity).find({ where: { projectId: project }, order: { name: 'ASC' } });
  }

  async putLookup(project: string, name: string, elements: string[]): Promise<void> {
    await this.ds.getRepository(NluLookupEntity).save({ projectId: project, name, elements });
  }

  async putSynonym(project: string, value: string, synonyms: string[]): Promise<void> {
    await this.ds.getRepository(NluSynonymEntity).save({ projectId: project, value, synonyms });
  }

  async putRegex(project: string, name: string, patterns: string[]): Promise<void> {
    await this.ds.getRepository(NluRegexEntity).save({ projectId: project, name, patterns });
  }

  async deleteLookup(project: string, name: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluLookupEntity).delete({ projectId: project, name })).affected ?? 0) > 0;
  }

  async deleteSynonym(project: string, value: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluSynonymEntity).delete({ projectId: project, value })).affected ?? 0) > 0;
  }

  async deleteRegex(project: string, name: string): Promise<boolean> {
    return ((await this.ds.getRepository(NluRegexEntity).delete({ projectId: project, name })).affected ?? 0) > 0;
  }

  /** Everything of a project, in the shared training-data shape. */
  async load(project: string): Promise<NluTrainingData> {
    // Page by page (the embedded database runs on the main thread: one query over 15k rows
    // held it for a noticeable pause); in export order, by intent, language and text.
    const examples: TrainingExample[] = [];
    for await (const page of this.examplePages(project)) examples.push(...page);
    return { examples, ...(await this.resources(project)) };
  }

  /**
   * Writes imported data in one transaction: all of it or none. `replace` empties the
   * tables first; `merge` upserts (an example's text is its key; lookups, synonyms and
   * regexes gain the new values).
   */
  async importData(project: string, data: NluTrainingData, mode: 'merge' | 'replace'): Promise<{ examples: number; lookups: number; synonyms: number; regexes: number }> {
    return this.ds.transaction(async (m) => {
      if (mode === 'replace') {
        for (const t of ['nlu_examples', 'nlu_lookups', 'nlu_synonyms', 'nlu_regexes']) await m.query(`DELETE FROM ${t} WHERE project_id = $1`, [project]);
      }
      await this.upsertExamples(m, project, data.examples);
      const lookups = groupBy(data.lookups.map((l) => [l.name, l.elements]));
      for (const [name, elements] of lookups) await this.mergeJsonList(m, project, 'nlu_lookups', 'name', 'elements', name, elements);
      const synonyms = groupBy(data.synonyms.map((s) => [s.value, s.synonyms]));
      for (const [value, list] of synonyms) await this.mergeJsonList(m, project, 'nlu_synonyms', 'value', 'synonyms', value, list);
      const regexes = groupBy(data.regexes.map((r) => [r.name, [r.pattern]]));
      for (const [name, patterns] of regexes) await this.mergeJsonList(m, project, 'nlu_regexes', 'name', 'patterns', name, patterns);
      return { examples: data.examples.length, lookups: lookups.size, synonyms: synonyms.size, regexes: regexes.size };
    });
  }

  /**
   * Upserts in chunks, each one statement over a JSON array (one parameter, so a 50k-row
   * import is a few dozen statements on PGlite and Postgres alike). A text repeated inside
   * one statement would make ON CONFLICT fail ("cannot affect row a second time"): importers
   * merge repeats before this, and the last occurrence wins here should any remain.
   */
  private async upsertExamples(m: EntityManager, project: string, examples: TrainingExample[]): Promise<void> {
    const unique = [...new Map(examples.map((e) => [e.text, e])).values()];
    for (let i = 0; i < unique.length; i += UPSERT_CHUNK) {
      const rows = unique.slice(i, i + UPSERT_CHUNK).map((e) => ({ text: e.text, intent: e.intent, entities: e.entities, lang: e.lang ?? null }));
      await m.query(
        `INSERT INTO nlu_examples (project_id, text, intent, entities, lang)
         SELECT $2, r->>'text', r->>'intent', r->'entities', r->>'lang' FROM jsonb_array_elements($1::jsonb) AS r
         ON CONFLICT (project_id, text) DO UPDATE SET intent = EXCLUDED.intent, entities = EXCLUDED.entities, lang = EXCLUDED.lang, updated_at = now()`,
        [JSON.stringify(rows), project],
      );
    }
  }

  /**
   * Every example in pages, ordered by intent, lang and text (so YAML groups by intent), for
   * streamed exports of any size: each page is a keyset query inside one (intent, lang)
   * group, never an OFFSET scan and never the whole table in memory. Not a snapshot: rows
   * written while an export runs may or may not be in it.
   */
  async *examplePages(project: string, pageSize = EXPORT_PAGE): AsyncGenerator<TrainingExample[]> {
    const groups: { intent: string; lang: string | null }[] = await this.ds.query(
      `SELECT intent, lang FROM nlu_examples WHERE project_id = $1 GROUP BY intent, lang ORDER BY intent, lang NULLS FIRST`,
      [project],
    );
    for (const g of groups) {
      let after: string | null = null;
      for (;;) {
        const rows: { text: string; entities: TrainingExample['entities'] }[] = await this.ds.query(
          `SELECT text, entities FROM nlu_examples
           WHERE project_id = $4 AND intent = $1 AND lang IS NOT DISTINCT FROM $2 AND ($3::varchar IS NULL OR text > $3::varchar)
           ORDER BY text LIMIT ${Number(pageSize)}`,
          [g.intent, g.lang, after, project],
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
  async resources(project: string): Promise<Pick<NluTrainingData, 'lookups' | 'synonyms' | 'regexes'>> {
    const [lookups, synonyms, regexes] = await Promise.all([this.lookups(project), this.synonyms(project), this.regexes(project)]);
    return {
      lookups: lookups.map((l) => ({ name: l.name, elements: l.elements })),
      synonyms: synonyms.map((s) => ({ value: s.value, synonyms: s.synonyms })),
      regexes: regexes.flatMap((r) => r.patterns.map((pattern) => ({ name: r.name, pattern }))),
    };
  }

  private async mergeJsonList(m: EntityManager, project: string, table: string, keyCol: string, listCol: string, key: string, values: string[]): Promise<void> {
    const existing: { list: string[] }[] = await m.query(`SELECT ${listCol} AS list FROM ${table} WHERE project_id = $1 AND ${keyCol} = $2`, [project, key]);
    const merged = [...new Set([...(existing[0]?.list ?? []), ...values])];
    await m.query(
      `INSERT INTO ${table} (project_id, ${keyCol}, ${listCol}) VALUES ($3, $1, $2::jsonb) ON CONFLICT (project_id, ${keyCol}) DO UPDATE SET ${listCol} = EXCLUDED.${listCol}, updated_at = now()`,
      [key, JSON.stringify(merged), project],
    );
  }
}

function groupBy(pairs: [string, string[]][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of pairs) out.set(k, [...(out.get(k) ?? []), ...v]);
  return out;
}
