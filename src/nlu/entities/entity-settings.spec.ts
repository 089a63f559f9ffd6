import { activeSources, defaultEntitySettings, labelledEntityNames, pipelineOptionsFor, withDefaults } from './entity-settings';
import { EntityExtractionPipeline } from './pipeline';

const base = { now: () => new Date('2026-11-25T02:00:00Z'), timeZone: 'Asia/Shanghai' };
const shopData = { examples: [{ text: '买桌子', intent: 'buy', entities: [{ entity: 'category', start: 1, end: 3 }] }], lookups: [] };
const bookingData = { examples: [{ text: 'table for 4', intent: 'book', entities: [{ entity: 'party_size', start: 10, end: 11 }] }], lookups: [] };

describe('NLU entity settings', () => {
  it('has generic built-ins on and the shop sources on "auto"', () => {
    const d = defaultEntitySettings();
    expect(d.builtins.number).toEqual({ enabled: true, entity: 'number' });
    expect(d.builtins.quantity).toEqual({ enabled: 'auto', entity: 'quantity' });
    expect(d.builtins.title).toEqual({ enabled: 'auto', entity: 'book_title' });
    expect(d.gazetteers).toEqual({ city: { enabled: true, entity: 'city' }, category: { enabled: 'auto', entity: 'category' } });
  });

  it('turns the shop categories on for data that labels them and off for other data', () => {
    expect(activeSources(defaultEntitySettings(), labelledEntityNames(shopData)).gazetteers).toEqual(['city', 'category']);
    expect(activeSources(defaultEntitySettings(), labelledEntityNames(bookingData)).gazetteers).toEqual(['city']);
    const forBooking = new EntityExtractionPipeline({ ...base, ...pipelineOptionsFor(defaultEntitySettings(), labelledEntityNames(bookingData)) });
    expect(forBooking.extract('播放一首歌，再买一张桌子').map((e) => e.entity)).toEqual([]);
    const forShop = new EntityExtractionPipeline({ ...base, ...pipelineOptionsFor(defaultEntitySettings(), labelledEntityNames({ ...shopData, lookups: [{ name: 'quantity', elements: [] }] })) });
    expect(forShop.extract('再买一张桌子').map((e) => e.entity)).toEqual(['quantity', 'category']);
  });

  it('resolves "auto" against the mapped name and honours explicit switches', () => {
    const s = withDefaults({ builtins: { date_range: { enabled: false }, title: { entity: 'song' } }, gazetteers: { category: { entity: 'product_type' }, city: { enabled: false } } });
    const labelled = new Set(['song', 'product_type']);
    const active = activeSources(s, labelled);
    expect(active.builtins).toContain('title');
    expect(active.builtins).not.toContain('date_range');
    expect(active.gazetteers).toEqual(['category']);
    const p = new EntityExtractionPipeline({ ...base, ...pipelineOptionsFor(s, labelled) });
    expect(p.extract('本周末在上海听《青花瓷》，买T恤').map((e) => [e.entity, e.text])).toEqual([
      ['song', '《青花瓷》'],
      ['product_type', 'T恤'],
    ]);
  });

  it('keeps defaults for what is left out and ignores unknown keys', () => {
    const s = withDefaults({ builtins: { number: { entity: 'party_size' } }, gazetteers: { bogus: { enabled: false } } } as never);
    expect(s.builtins.number).toEqual({ enabled: true, entity: 'party_size' });
    expect(s.builtins.date).toEqual({ enabled: true, entity: 'date' });
    expect(Object.keys(s.gazetteers)).toEqual(['city', 'category']);
  });
});
