/**
 * Which built-in extractors and bundled gazetteers run, and under which entity names.
 *
 * Each source has `enabled` (true, false or 'auto') and `entity`, the name its matches get
 * (number -> party_size, city -> location). 'auto' means: on when the training data uses the
 * entity name, i.e. some example annotates it or a lookup table carries it. The shop's
 * sources (product categories, quantities with measure words, 《》 titles as book_title)
 * default to 'auto', so they come with the bundled shop data and go when a user's own data
 * replaces it; the generic ones (numbers, dates, money, contacts, cities) default to on.
 * Plain TypeScript: the settings service stores this object, the pipeline takes what
 * `pipelineOptionsFor` derives from it.
 */
import type { NluTrainingData } from '../core/types';
import type { BuiltinKind } from './builtin';
import type { BuiltinLookupType } from './builtin-lookups';

export type SourceToggle = boolean | 'auto';

export interface EntitySourceSetting {
  enabled: SourceToggle;
  /** the entity name matches are reported under */
  entity: string;
}

export const BUILTIN_ENTITY_TYPES = ['number', 'quantity', 'price', 'date', 'datetime', 'date_range', 'datetime_range', 'phone', 'email', 'url', 'title'] as const;
export type BuiltinEntityType = (typeof BUILTIN_ENTITY_TYPES)[number];

export const BUNDLED_GAZETTEERS = ['city', 'category'] as const satisfies readonly BuiltinLookupType[];
export type BundledGazetteer = (typeof BUNDLED_GAZETTEERS)[number];

export interface NluEntitySettings {
  builtins: Record<BuiltinEntityType, EntitySourceSetting>;
  gazetteers: Record<BundledGazetteer, EntitySourceSetting>;
}

/** The same shape with every entry and field optional: what a caller may send. */
export interface NluEntitySettingsInput {
  builtins?: Partial<Record<BuiltinEntityType, Partial<EntitySourceSetting>>>;
  gazetteers?: Partial<Record<BundledGazetteer, Partial<EntitySourceSetting>>>;
}

/** 'auto' sources: the ones only the bundled shop data labels. */
const SHOP_BUILTINS = new Set<BuiltinEntityType>(['quantity', 'title']);
const SHOP_GAZETTEERS = new Set<BundledGazetteer>(['category']);
/** 《》 titles are named like the bundled data annotates them */
const DEFAULT_NAMES: Partial<Record<BuiltinEntityType, string>> = { title: 'book_title' };

export function defaultEntitySettings(): NluEntitySettings {
  const builtins = {} as NluEntitySettings['builtins'];
  for (const t of BUILTIN_ENTITY_TYPES) builtins[t] = { enabled: SHOP_BUILTINS.has(t) ? 'auto' : true, entity: DEFAULT_NAMES[t] ?? t };
  const gazetteers = {} as NluEntitySettings['gazetteers'];
  for (const g of BUNDLED_GAZETTEERS) gazetteers[g] = { enabled: SHOP_GAZETTEERS.has(g) ? 'auto' : true, entity: g };
  return { builtins, gazetteers };
}

/** Defaults overlaid with what is given; unknown keys are ignored (the DTO refuses them at the edge). */
export function withDefaults(input: NluEntitySettingsInput | null | undefined): NluEntitySettings {
  const out = defaultEntitySettings();
  for (const t of BUILTIN_ENTITY_TYPES) out.builtins[t] = { ...out.builtins[t], ...pick(input?.builtins?.[t]) };
  for (const g of BUNDLED_GAZETTEERS) out.gazetteers[g] = { ...out.gazetteers[g], ...pick(input?.gazetteers?.[g]) };
  return out;
}

function pick(s: Partial<EntitySourceSetting> | undefined): Partial<EntitySourceSetting> {
  const out: Partial<EntitySourceSetting> = {};
  if (s?.enabled !== undefined) out.enabled = s.enabled;
  if (s?.entity !== undefined) out.entity = s.entity;
  return out;
}

/** Entity names the training data uses: annotated in an example or carried by a lookup table. */
export function labelledEntityNames(data: Partial<Pick<NluTrainingData, 'examples' | 'lookups'>>): Set<string> {
  const names = new Set<string>();
  for (const e of data.examples ?? []) for (const a of e.entities) names.add(a.entity);
  for (const l of data.lookups ?? []) names.add(l.name);
  return names;
}

const isOn = (s: EntitySourceSetting, labelled: ReadonlySet<string>) => (s.enabled === 'auto' ? labelled.has(s.entity) : s.enabled);

export interface ActiveEntitySources {
  builtins: BuiltinEntityType[];
  gazetteers: BundledGazetteer[];
}

/** Which sources are on for this data ('auto' resolved). */
export function activeSources(settings: NluEntitySettings, labelled: ReadonlySet<string>): ActiveEntitySources {
  return {
    builtins: BUILTIN_ENTITY_TYPES.filter((t) => isOn(settings.builtins[t], labelled)),
    gazetteers: BUNDLED_GAZETTEERS.filter((g) => isOn(settings.gazetteers[g], labelled)),
  };
}

const KIND_OF: Record<Exclude<BuiltinEntityType, 'title'>, BuiltinKind> = {
  number: 'number', quantity: 'quantity', price: 'price',
  date: 'datetime', datetime: 'datetime', date_range: 'datetime', datetime_range: 'datetime',
  phone: 'phone', email: 'email', url: 'url',
};

/** The pipeline options that realise the settings (see EntityPipelineOptions). */
export interface SettingsPipelineOptions {
  builtins: BuiltinKind[];
  builtinTypes: string[];
  builtinLookups: BuiltinLookupType[];
  titles: boolean;
  names: Record<string, string>;
}

export function pipelineOptionsFor(settings: NluEntitySettings, labelled: ReadonlySet<string>): SettingsPipelineOptions {
  const active = activeSources(settings, labelled);
  const types = active.builtins.filter((t): t is Exclude<BuiltinEntityType, 'title'> => t !== 'title');
  const names: Record<string, string> = {};
  for (const t of BUILTIN_ENTITY_TYPES) if (settings.builtins[t].entity !== t) names[t] = settings.builtins[t].entity;
  for (const g of BUNDLED_GAZETTEERS) if (settings.gazetteers[g].entity !== g) names[g] = settings.gazetteers[g].entity;
  return {
    builtins: [...new Set(types.map((t) => KIND_OF[t]))],
    builtinTypes: types,
    builtinLookups: active.gazetteers,
    titles: active.builtins.includes('title'),
    names,
  };
}
