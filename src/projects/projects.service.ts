import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import { AppConfig, PROJECT_ID } from '../config/app-config';
import { DEFAULT_PROJECT } from '../auth/principal';
import { ProjectEntity, ProjectQuotas } from './project.entity';
import { ProjectLifecycle } from './project-lifecycle';
import { ProjectsRepository } from './projects.repository';

/** How long a replica trusts what it read about a project (existence, quotas); its own changes apply at once. */
const CACHE_MS = 5_000;

export interface ProjectInput {
  id: string;
  name?: string;
  settings?: Record<string, unknown>;
  quotas?: ProjectQuotas;
}

/** Who deleted a project, for the audit line. */
export interface Actor {
  keyId?: string;
  role: string;
  ownerId: string;
}

/**
 * Projects: creation, settings and quotas, deletion with every row of the project. Every
 * request's project is checked here (AuthGuard), through a short cache.
 */
@Injectable()
export class ProjectsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Projects');
  private readonly cache = new Map<string, { row: ProjectEntity | null; at: number }>();

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly lifecycle: ProjectLifecycle,
    private readonly config: AppConfig,
  ) {}

  /** Projects named by API_KEYS exist from the start, so a configured key always has its project. */
  async onApplicationBootstrap(): Promise<void> {
    for (const id of new Set(this.config.apiKeys.map((k) => k.project))) {
      if (id === DEFAULT_PROJECT) continue;
      if (await this.projects.insert({ id, name: id, settings: {}, quotas: {} })) this.logger.log(`Created project ${id}, named by API_KEYS`);
    }
  }

  /** The project, through the cache; undefined when there is none. */
  async find(id: string): Promise<ProjectEntity | undefined> {
    if (!PROJECT_ID.test(id)) return undefined;
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.row ?? undefined;
    const row = await this.projects.get(id);
    this.cache.set(id, { row, at: Date.now() });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return row ?? undefined;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.find(id)) !== undefined;
  }

  async quotas(id: string): Promise<ProjectQuotas> {
    return (await this.find(id))?.quotas ?? {};
  }

  list(): Promise<ProjectEntity[]> {
    return this.projects.list();
  }

  async get(id: string): Promise<ProjectEntity> {
    const row = PROJECT_ID.test(id) ? await this.projects.get(id) : null;
    if (!row) throw notFound(id);
    return row;
  }

  async create(input: ProjectInput): Promise<ProjectEntity> {
    if (!PROJECT_ID.test(input.id)) throw new BadInputError('id must be a slug: lowercase letters, digits and -, starting with a letter or digit, at most 64', { field: 'id' });
    const row = await this.projects.insert({ id: input.id, name: input.name ?? input.id, settings: input.settings ?? {}, quotas: input.quotas ?? {} });
    if (!row) throw new ConflictError(`Project ${input.id} already exists`);
    this.cache.delete(row.id);
    this.logger.log(`Project ${row.id} created`);
    return row;
  }

  /** Changes name, settings or quotas; fields left out keep their value, quotas merge key by key (null removes one). */
  async update(id: string, patch: Omit<ProjectInput, 'id'>): Promise<ProjectEntity> {
    const current = await this.get(id);
    // Only the quotas the request names (a DTO instance also carries the others as undefined).
    const named = Object.fromEntries(Object.entries(patch.quotas ?? {}).filter(([, v]) => v !== undefined));
    const quotas = patch.quotas ? withoutNulls({ ...current.quotas, ...named }) : undefined;
    const row = await this.projects.update(id, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.settings ? { settings: patch.settings } : {}), ...(quotas ? { quotas } : {}) });
    if (!row) throw notFound(id);
    this.cache.delete(id);
    return row;
  }

  /**
   * Deletes a project with all its data in one transaction; refuses (409) while it has data
   * unless `force`. `default` cannot be deleted. Modules then unload what they held of it.
   */
  async delete(id: string, options: { force?: boolean; by: Actor }): Promise<{ id: string; deleted: Record<string, number> }> {
    if (id === DEFAULT_PROJECT) throw new ConflictError('The default project cannot be deleted: keys without a project and local development use it');
    if (!PROJECT_ID.test(id)) throw notFound(id);
    const res = await this.projects.remove(id, (data) => {
      if (options.force || Object.keys(data).length === 0) return undefined;
      const list = Object.entries(data).map(([t, n]) => `${n} in ${t}`).join(', ');
      return `Project ${id} still has data (${list}); delete it with ?force=true to remove the project and all of it`;
    });
    if (res.outcome === 'missing') throw notFound(id);
    if (res.outcome === 'refused') throw new ConflictError(res.reason);
    this.cache.delete(id);
    const who = `${options.by.role} key ${options.by.keyId ?? '(keyless local caller)'} of owner ${options.by.ownerId}`;
    this.logger.warn({ audit: 'project.deleted', project: id, by: who, force: !!options.force, rows: res.rows }, `Project ${id} deleted by ${who}${options.force ? ' with force=true' : ''}`);
    await this.lifecycle.deleted(id);
    return { id, deleted: res.rows };
  }
}

const notFound = (id: string) => new NotFoundError(`No project ${id}; GET /api/v1/projects lists them (platform key)`);

function withoutNulls(q: ProjectQuotas): ProjectQuotas {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== null && v !== undefined)) as ProjectQuotas;
}
