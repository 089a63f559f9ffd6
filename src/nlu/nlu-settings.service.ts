import { Injectable, OnModuleInit } from '@nestjs/common';
import { BUILTIN_ENTITY_TYPES, BUNDLED_GAZETTEERS, NluEntitySettingsInput, withDefaults } from './entities/entity-settings';
import type { NluSettingsDto } from './nlu-settings.dto';
import { NluSettingsRepository } from './nlu-settings.repository';
import { NluService } from './nlu.service';

/**
 * The store's NLU settings: which built-in extractors and bundled gazetteers run and the
 * entity names they report. Read once at start (before the first refresh of the entity
 * pipeline) and applied to parsing as soon as they are saved.
 */
@Injectable()
export class NluSettingsService implements OnModuleInit {
  private stored: NluEntitySettingsInput = {};
  private updatedAt: Date | null = null;

  constructor(
    private readonly repo: NluSettingsRepository,
    private readonly nlu: NluService,
  ) {}

  async onModuleInit(): Promise<void> {
    const row = await this.repo.get();
    if (row) {
      this.stored = row.settings;
      this.updatedAt = row.updatedAt;
    }
    this.nlu.setEntitySettings(withDefaults(this.stored));
  }

  get(): NluSettingsDto {
    const settings = withDefaults(this.stored);
    return { ...settings, active: this.nlu.activeEntitySources(), updatedAt: this.updatedAt?.toISOString() ?? null };
  }

  /** Replaces the settings; entries left out take their defaults. */
  async replace(input: NluEntitySettingsInput): Promise<NluSettingsDto> {
    const stored = onlyKnown(input);
    this.updatedAt = await this.repo.save(stored);
    this.stored = stored;
    this.nlu.setEntitySettings(withDefaults(stored));
    return this.get();
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
