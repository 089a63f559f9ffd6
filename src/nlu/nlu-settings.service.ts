import { Injectable } from '@nestjs/common';
import { activeSources, BUILTIN_ENTITY_TYPES, BUNDLED_GAZETTEERS, NluEntitySettingsInput, withDefaults } from './entities/entity-settings';
import type { NluSettingsDto } from './nlu-settings.dto';
import { NluSettingsRepository } from './nlu-settings.repository';
import { NluModelSource } from './nlu-model-source';
import { labelledNames, NluService } from './nlu.service';

/**
 * A project's NLU settings: which built-in extractors and bundled gazetteers run and the
 * entity names they report. Read from the database (a project's serving state reads them
 * when it loads) and applied to the project's parsing as soon as they are saved.
 */
@Injectable()
export class NluSettingsService {
  constructor(
    private readonly repo: NluSettingsRepository,
    private readonly source: NluModelSource,
    private readonly nlu: NluService,
  ) {}

  async get(project: string): Promise<NluSettingsDto> {
    const [row, entities] = await Promise.all([this.repo.get(project), this.source.entities(project)]);
    const settings = withDefaults(row?.settings ?? {});
    return { ...settings, active: activeSources(settings, labelledNames(entities)), updatedAt: row?.updatedAt.toISOString() ?? null };
  }

  /** Replaces the project's settings; entries left out take their defaults. */
  async replace(project: string, input: NluEntitySettingsInput): Promise<NluSettingsDto> {
    const stored = onlyKnown(input);
    await this.repo.save(project, stored);
    await this.nlu.refreshEntities(project, () => this.source.entities(project));
    return this.get(project);
  }
}

/** The given entries and fields only (a plain object for the jsonb column, no class instances or undefined). */
function onlyKnown(input: NluEntitySettingsInput): NluEntitySettingsInput {
  const out: NluEntitySettingsInput = {};
  const copy = <K extends string>(keys: readonly K[], from: Partial<Record<K, { enabled?: boolean | 'auto'; entity?: string }>> | undefined) => {
    const section: Partial<Record<K, { enabled?: boolean | 'auto'; entity?: string }>> = {};
    for (const k of keys) {
      const s = from?.[k];
      if (!s) continue;
      section[k] = { ...(s.enabled !== undefined ? { enabled: s.enabled } : {}), ...(s.entity !== undefined ? { entity: s.entity } : {}) };
    }
    return Object.keys(section).length ? section : undefined;
  };
  const builtins = copy(BUILTIN_ENTITY_TYPES, input.builtins);
  const gazetteers = copy(BUNDLED_GAZETTEERS, input.gazetteers);
  if (builtins) out.builtins = builtins;
  if (gazetteers) out.gazetteers = gazetteers;
  return out;
}
