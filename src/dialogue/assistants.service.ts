import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadInputError, NotFoundError } from '../common/errors';
import { DEFAULT_PROJECT } from '../auth/principal';
import { DialogueRepository } from './dialogue.repository';
import { Domain, DomainInvalidError, parseDomain } from './domain/domain';

/** The assistant the `default` project ships with (src/dialogue/assets/shop.yml). */
export const BUNDLED_ASSISTANT = 'shop';
export const ASSET_DIR = join(__dirname, 'assets');
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface AssistantInfo {
  name: string;
  source: 'uploaded' | 'bundled';
  updatedAt: Date | null;
  intents: string[];
  skills: string[];
}

/** Assistants per project: domain files uploaded (validated, stored) or, for `default`, the bundled shop. */
@Injectable()
export class AssistantsService {
  private bundled?: { source: string; domain: Domain };

  constructor(private readonly repo: DialogueRepository) {}

  /** Validates and stores a domain file; a wrong one is a 400 listing each problem with its line. */
  async put(project: string, name: string, source: string): Promise<AssistantInfo> {
    this.checkName(name);
    let domain: Domain;
    try {
      domain = parseDomain(source);
    } catch (err) {
      if (err instanceof DomainInvalidError) throw new BadInputError(`The domain file has ${err.problems.length} problem(s): ${err.message}`, err.problems);
      throw err;
    }
    await this.repo.putAssistant(project, name, source, domain);
    return this.info(name, domain, 'uploaded', new Date());
  }

  async get(project: string, name: string): Promise<AssistantInfo & { domain: string }> {
    const found = await this.load(project, name);
    return { ...this.info(name, found.domain, found.bundled ? 'bundled' : 'uploaded', found.updatedAt), domain: found.source };
  }

  async list(project: string): Promise<AssistantInfo[]> {
    const rows = await this.repo.assistants(project);
    const out: AssistantInfo[] = [];
    for (const r of rows) out.push((await this.get(project, r.name)) as AssistantInfo);
    if (project === DEFAULT_PROJECT && !rows.some((r) => r.name === BUNDLED_ASSISTANT)) out.unshift(this.info(BUNDLED_ASSISTANT, this.bundle().domain, 'bundled', null));
    return out.map(({ name, source, updatedAt, intents, skills }) => ({ name, source, updatedAt, intents, skills }));
  }

  /** The domain an assistant runs on (404 when the project has no such assistant). */
  async domain(project: string, name: string): Promise<Domain> {
    return (await this.load(project, name)).domain;
  }

  /** Whether the project has the bundled assistant of this name (`default`'s shop) when it uploaded none; a bad name is a 400. */
  bundledFallback(project: string, name: string): boolean {
    this.checkName(name);
    return project === DEFAULT_PROJECT && name === BUNDLED_ASSISTANT;
  }

  noSuchAssistant(name: string): NotFoundError {
    return new NotFoundError(`No assistant ${name} in this project; upload its domain file with PUT /api/v1/dialogue/assistants/${name}/domain`);
  }

  /** The domain of a session's assistant given its uploaded domain as read with the session (null: none uploaded). */
  resolved(project: string, name: string, uploaded: unknown): Domain {
    if (uploaded) return uploaded as Domain;
    if (project === DEFAULT_PROJECT && name === BUNDLED_ASSISTANT) return this.bundle().domain;
    throw this.noSuchAssistant(name);
  }

  private async load(project: string, name: string): Promise<{ source: string; domain: Domain; updatedAt: Date | null; bundled: boolean }> {
    this.checkName(name);
    const row = await this.repo.assistant(project, name);
    if (row) return { source: row.source, domain: row.domain as Domain, updatedAt: row.updatedAt, bundled: false };
    if (project === DEFAULT_PROJECT && name === BUNDLED_ASSISTANT) return { ...this.bundle(), updatedAt: null, bundled: true };
    throw this.noSuchAssistant(name);
  }

  private bundle(): { source: string; domain: Domain } {
    if (!this.bundled) {
      const source = readFileSync(join(ASSET_DIR, 'shop.yml'), 'utf8');
      this.bundled = { source, domain: parseDomain(source) };
    }
    return this.bundled;
  }

  private info(name: string, domain: Domain, source: AssistantInfo['source'], updatedAt: Date | null): AssistantInfo {
    return { name, source, updatedAt, intents: Object.keys(domain.intents), skills: [...new Set(Object.values(domain.intents).map((i) => i.skill))] };
  }

  private checkName(name: string): void {
    if (!NAME.test(name)) throw new BadInputError(`Assistant name ${JSON.stringify(name)}: lower-case letters, digits, _ and -, up to 64, starting with a letter or digit`, { field: 'name' });
  }
}
