import { defaultEntitySettings, type NluEntitySettings, type NluEntitySettingsInput } from './entities/entity-settings';
import { NluSettingsService } from './nlu-settings.service';
import type { NluSettingsRepository } from './nlu-settings.repository';
import type { NluService } from './nlu.service';

function setup(row: { settings: NluEntitySettingsInput; updatedAt: Date } | null) {
  const saved: NluEntitySettingsInput[] = [];
  const applied: NluEntitySettings[] = [];
  const repo = {
    get: jest.fn(async () => row),
    save: jest.fn(async (s: NluEntitySettingsInput) => {
      saved.push(s);
      return new Date('2026-12-01T09:30:00Z');
    }),
  } as unknown as NluSettingsRepository;
  const nlu = {
    setEntitySettings: (s: NluEntitySettings) => applied.push(s),
    activeEntitySources: () => ({ builtins: ['number'], gazetteers: ['city'] }),
  } as unknown as NluService;
  return { service: new NluSettingsService(repo, nlu), saved, applied };
}

describe('NluSettingsService', () => {
  it('applies the stored settings at start, defaults filling the rest', async () => {
    const { service, applied } = setup({ settings: { gazetteers: { city: { entity: 'location' } } }, updatedAt: new Date('2026-11-30T00:00:00Z') });
    await service.onModuleInit();
    expect(applied[0].gazetteers.city).toEqual({ enabled: true, entity: 'location' });
    expect(applied[0].builtins).toEqual(defaultEntitySettings().builtins);
    expect(service.get().updatedAt).toBe('2026-11-30T00:00:00.000Z');
  });

  it('starts on the defaults with no row', async () => {
    const { service, applied } = setup(null);
    await service.onModuleInit();
    expect(applied[0]).toEqual(defaultEntitySettings());
    expect(service.get()).toMatchObject({ updatedAt: null, active: { gazetteers: ['city'] } });
  });

  it('stores only the given entries and fields, and applies them', async () => {
    const { service, saved, applied } = setup(null);
    await service.onModuleInit();
    const view = await service.replace({ builtins: { number: { entity: 'party_size', enabled: undefined } }, gazetteers: {} });
    expect(saved).toEqual([{ builtins: { number: { entity: 'party_size' } } }]);
    expect(applied[1].builtins.number).toEqual({ enabled: true, entity: 'party_size' });
    expect(view).toMatchObject({ builtins: { number: { entity: 'party_size' } }, updatedAt: '2026-12-01T09:30:00.000Z' });
  });
});
