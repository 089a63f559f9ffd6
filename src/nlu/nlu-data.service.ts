import { Injectable } from '@nestjs/common';
import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import type { EntityAnnotation, Lang, NluTrainingData, TrainingExample } from './core/types';
import { validateRegexPatterns } from './entities/regex-extractor';
import {
  ExportFormat,
  ImportStats,
  ParsedTrainingData,
  ProblemList,
  TrainingDataFormatError,
  exportChunks,
  formatProblem,
  readJsonTrainingData,
  readNdjsonTrainingData,
  readRasaYaml,
  validateTrainingData,
} from './formats';
import { detectLanguage } from './language/detect-language';
import { NluDataRepository } from './nlu-data.repository';
import { NluExampleEntity } from './nlu.entities';
import { NluTrainingService } from './nlu-training.service';

export type DataFormat = ExportFormat;

export interface ExampleView {
  id: string;
  text: string;
  intent: string;
  entities: EntityAnnotation[];
  lang: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const view = (e: NluExampleEntity): ExampleView => ({ id: e.id, text: e.text, intent: e.intent, entities: e.entities, lang: e.lang, createdAt: e.createdAt, updatedAt: e.updatedAt });

/** Throws a 400 listing every problem (line / entry / field) when `data` is not valid. */
function assertValid(data: NluTrainingData): void {
  const problems = new ProblemList();
  validateTrainingData(data, problems);
  if (problems.items.length) throw new BadInputError(`Invalid training data: ${problems.items.slice(0, 5).map(formatProblem).join('; ')}`, { problems: problems.items });
}

/**
 * Training-data management: examples, lookups, synonyms, regexes; import and export in
 * Rasa's NLU YAML, JSON and NDJSON (exports are streamed, so any size is fine). Every write is validated first and imports are
 * all-or-nothing. Rule-based extractors are refreshed after each change; the intent
 * model only changes on POST /nlu/train.
 */
@Injectable()
export class NluDataService {
  constructor(
    private readonly repo: NluDataRepository,
    private readonly training: NluTrainingService,
  ) {}

  intents(project: string) {
    return this.repo.intents(project);
  }

  async listExamples(project: string, filter: { intent?: string; lang?: string; q?: string; limit?: number; offset?: number }) {
    const { items, total } = await this.repo.listExamples(project, { ...filter, limit: filter.limit ?? 50, offset: filter.offset ?? 0 });
    return { items: items.map(view), total, limit: filter.limit ?? 50, offset: filter.offset ?? 0 };
  }

  async createExample(project: string, input: { text: string; intent: string; entities?: EntityAnnotation[]; lang?: Lang }): Promise<ExampleView> {
    const example = this.example(input);
    if (await this.repo.findExampleByText(project, example.text)) throw new ConflictError(`An example with this text already exists; PUT /api/v1/nlu/examples/{id} changes it`);
    return view(await this.repo.saveExample(project, { ...example, lang: example.lang ?? null }));
  }

  async updateExample(project: string, id: string, input: { text: string; intent: string; entities?: EntityAnnotation[]; lang?: Lang }): Promise<ExampleView> {
    const existing = await this.repo.findExample(project, id);
    if (!existing) throw new NotFoundError(`No example ${id}`);
    const example = this.example(input);
    const clash = await this.repo.findExampleByText(project, example.text);
    if (clash && clash.id !== id) throw new ConflictError(`Another example (${clash.id}) already has this text`);
    return view(await this.repo.saveExample(project, { ...existing, ...example, lang: example.lang ?? null }));
  }

  async deleteExample(project: string, id: string): Promise<void> {
    if (!(await this.repo.deleteExample(project, id))) throw new NotFoundError(`No example ${id}`);
  }

  async deleteIntent(project: string, intent: string): Promise<{ deleted: number }> {
    const deleted = await this.repo.deleteIntent(project, intent);
    if (!deleted) throw new NotFoundError(`No examples of intent ${intent}`);
    return { deleted };
  }

  private example(input: { text: string; intent: string; entities?: EntityAnnotation[]; lang?: Lang }): TrainingExample {
    const example: TrainingExample = { text: input.text, intent: input.intent, entities: input.entities ?? [], lang: input.lang ?? detectLanguage(input.text).lang };
    assertValid({ examples: [example], lookups: [], synonyms: [], regexes: [] });
    return example;
  }

  async lookups(project: string) {
    return (await this.repo.lookups(project)).map((l) => ({ name: l.name, elements: l.elements, updatedAt: l.updatedAt }));
  }

  async synonyms(project: string) {
    return (await this.repo.synonyms(project)).map((s) => ({ value: s.value, synonyms: s.synonyms, updatedAt: s.updatedAt }));
  }

  async regexes(project: string) {
    return (await this.repo.regexes(project)).map((r) => ({ name: r.name, patterns: r.patterns, updatedAt: r.updatedAt }));
  }

  async putLookup(project: string, name: string, elements: string[]) {
    assertValid({ examples: [], lookups: [{ name, elements }], synonyms: [], regexes: [] });
    await this.repo.putLookup(project, name, [...new Set(elements)]);
    await this.training.refreshEntities(project);
    return { name, elements: [...new Set(elements)] };
  }

  async putSynonym(project: string, value: string, synonyms: string[]) {
    assertValid({ examples: [], lookups: [], synonyms: [{ value, synonyms }], regexes: [] });
    await this.repo.putSynonym(project, value, [...new Set(synonyms)]);
    await this.training.refreshEntities(project);
    return { value, synonyms: [...new Set(synonyms)] };
  }

  async putRegex(project: string, name: string, patterns: string[]) {
    const data = { examples: [], lookups: [], synonyms: [], regexes: patterns.map((pattern) => ({ name, pattern })) };
    assertValid(data);
    const unsafe = validateRegexPatterns(data.regexes);
    if (unsafe.length) throw new BadInputError(`Regex ${name}: ${unsafe.map((p) => `${p.pattern}: ${p.reason}`).join('; ')}`, { problems: unsafe });
    await this.repo.putRegex(project, name, patterns);
    await this.training.refreshEntities(project);
    return { name, patterns };
  }

  async deleteResource(project: string, kind: 'lookup' | 'synonym' | 'regex', key: string): Promise<void> {
    const ok =
      kind === 'lookup' ? await this.repo.deleteLookup(project, key) : kind === 'synonym' ? await this.repo.deleteSynonym(project, key) : await this.repo.deleteRegex(project, key);
    if (!ok) throw new NotFoundError(`No ${kind} ${key}`);
    await this.training.refreshEntities(project);
  }

  /** Parses, validates and stores a whole file in the project, in one transaction; nothing is written when anything is wrong. */
  async import(project: string, format: DataFormat, content: unknown, mode: 'merge' | 'replace'): Promise<ImportResult> {
    const { data, stats } = this.read(format, content);
    for (const ex of data.examples) ex.lang ??= detectLanguage(ex.text).lang;
    const unsafe = validateRegexPatterns(data.regexes);
    if (unsafe.length) throw new BadInputError(`Regexes refused: ${unsafe.map((p) => `${p.name}: ${p.reason}`).join('; ')}`, { problems: unsafe });
    const counts = await this.repo.importData(project, data, mode);
    await this.training.refreshEntities(project);
    return { mode, imported: counts, ...stats };
  }

  /** An uploaded file (the raw request body); its format comes from `format` or the content type. */
  importFile(project: string, body: unknown, contentType: string | undefined, format: DataFormat | undefined, mode: 'merge' | 'replace'): Promise<ImportResult> {
    const fmt = format ?? formatOfContentType(contentType);
    if (!fmt)
      throw new BadInputError(
        `Cannot tell the file's format from Content-Type ${JSON.stringify(contentType ?? '')}: send application/x-ndjson, application/yaml or application/json, or pass ?format=`,
        { field: 'format' },
      );
    if (typeof body !== 'string' || body.trim() === '') throw new BadInputError('Send the file as the request body; it is empty', { field: 'body' });
    return this.import(project, fmt, body, mode);
  }

  /** The project's whole training data as a stream of text chunks, of any size (see formats/export-stream). */
  exportChunks(project: string, format: DataFormat, envelope: boolean): AsyncGenerator<string> {
    return exportChunks(format, { examplePages: () => this.repo.examplePages(project), resources: () => this.repo.resources(project) }, { envelope });
  }

  private read(format: DataFormat, content: unknown): ParsedTrainingData {
    try {
      if (format === 'json') return readJsonTrainingData(content);
      const text = this.text(format, content);
      return format === 'rasa-yaml' ? readRasaYaml(text) : readNdjsonTrainingData(text);
    } catch (err) {
      if (!(err instanceof TrainingDataFormatError)) throw err;
      const details = err.conflicts.length ? { problems: err.problems, conflicts: err.conflicts } : { problems: err.problems };
      throw new BadInputError(`The ${format} file is invalid: ${err.message.replace(/^invalid training data /, '')}`, details);
    }
  }

  private text(format: DataFormat, content: unknown): string {
    if (typeof content !== 'string') throw new BadInputError(`content must be the ${format === 'ndjson' ? 'NDJSON' : 'YAML'} file as a string`, { field: 'content' });
    return content;
  }
}

export interface ImportResult extends ImportStats {
  mode: 'merge' | 'replace';
  imported: { examples: number; lookups: number; synonyms: number; regexes: number };
}

const CONTENT_TYPES: [RegExp, DataFormat][] = [
  [/^application\/(x-)?(ndjson|jsonl|jsonlines|json-seq)$/, 'ndjson'],
  [/^(application|text)\/(x-)?yaml$/, 'rasa-yaml'],
  [/^application\/json$/, 'json'],
];

/** The training-data format a Content-Type names, if any. */
export function formatOfContentType(contentType: string | undefined): DataFormat | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return CONTENT_TYPES.find(([re]) => re.test(type))?.[1];
}
