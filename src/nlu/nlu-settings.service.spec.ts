import { defaultEntitySettings, type NluEntitySettingsInput } from './entities/entity-settings';
import { NluSettingsService } from './nlu-settings.service';
import type { NluSettingsRepository } from './nlu-settings.repository';
import type { NluModelSource } from './nlu-model-source';
import type { EntitySource, NluService } from './nlu.service';

function setup(rows: Record<string, { settings: NluEntitySettingsInput; updatedAt: Date }>, entities: EntitySource = { lookups: [], synonyms: [], regexes: [], annotated: [] }) {
  const saved: [string, NluEntitySettingsInput][] = [];
  const applied: [string, EntitySource][] = [];
  const repo = {
    get: jest.fn(async (project: string) => rows[project] ?? null),
    save: jest.fn(async (project: string, s: NluEntitySettingsInput) => {
      saved.push([project, s]);
      rows[project] = { settings: s, updatedAt: new Date('2026-12-01T09:30:00Z') };
      return rows[project].updatedAt;
    }),
  } as unknown as NluSettingsRepository;
  const source = { entities: jest.fn(async () => entities) } as unknown as NluModelSource;
  const nlu = { refreshEntities: async (project: string, read: () => Promise<EntitySource>) => applied.push([project, await read()]) } as unknown as NluService;
  return { service: new NluSettingsService(repo, source, nlu), saved, applied };
}

describe('NluSettingsService', () => {
  it("reads a project's stored settings, defaults filling the rest", async () => {
    const { service } = setup({ shop: { settings: { gazetteers: { city: { entity: 'location' } } }, updatedAt: new Date('2026-11-30T00:00:00Z') } });
    const view = await service.get('shop');
    expect(view.gazetteers.city).toEqual({ enabled: true, entity: 'location' });
    expect(view.builtins).toEqual(defaultEntitySettings().builtins);
    expect(view.updatedAt).toBe('2026-11-30T00:00:00.000Z');
    // another project has none of them
    expect(await service.get('other')).toMatchObject({ updatedAt: null, gazetteers: defaultEntitySettings().gazetteers });
  });

  it("resolves 'auto' sources against the entity names the project's data uses", async () => {
    const plain = await setup({}).service.get('p');
    const labelled = await setup({}, { lookups: [], synonyms: [], regexes: [], annotated: ['category'] }).service.get('p');
    expect(plain.active.gazetteers).not.toContain('category');
    expect(labelled.active.gazetteers).toContain('category');
  });

  it("stores only the given entries and fields, and refreshes that project's extractors", async () => {
    const { service, saved, applied } = setup({});
    const view = await service.replace('shop', { builtins: { number: { entity: 'party_size', enabled: undefined } }, gazetteers: {} });
    expect(saved).toEqual([['shop', { builtins: { number: { entity: 'party_size' } } }]]);
    expect(applied.map(([project]) => project)).toEqual(['shop']);
    expect(view).toMatchObject({ builtins: { number: { entity: 'party_size' } }, updatedAt: '2026-12-01T09:30:00.000Z' });
  });
});
