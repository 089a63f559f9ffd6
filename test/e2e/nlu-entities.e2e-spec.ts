import { InferencePool } from '../../src/inference/inference-pool.service';
import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

type Entity = { entity: string; text: string; value: unknown; extractor: string };

/** "book a table for [4](party_size) people" -> a JSON import example with offsets. */
function ex(intent: string, marked: string) {
  const entities: { entity: string; start: number; end: number }[] = [];
  let text = '';
  let rest = marked;
  for (let m = /\[([^\]]+)\]\(([^)]+)\)/.exec(rest); m; m = /\[([^\]]+)\]\(([^)]+)\)/.exec(rest)) {
    text += rest.slice(0, m.index);
    entities.push({ entity: m[2], start: text.length, end: text.length + m[1].length });
    text += m[1];
    rest = rest.slice(m.index + m[0].length);
  }
  return { text: text + rest, intent, entities };
}

const SIZES = ['2', '3', '4', '5', '6', '8'];
const CITIES = ['北京', '上海', '广州', '成都', '杭州', '深圳'];
const EN_CITIES = ['Paris', 'London', 'Tokyo', 'Berlin', 'Madrid', 'Rome'];
const BOOKINGS = [
  ...SIZES.map((n) => ex('book_table', `book a table for [${n}](party_size) people`)),
  ...SIZES.map((n) => ex('book_table', `a table for [${n}](party_size) tonight please`)),
  ...SIZES.map((n) => ex('book_table', `订[${n}](party_size)位的桌子`)),
  ...SIZES.map((n) => ex('book_table', `我们[${n}](party_size)个人，今晚有位子吗`)),
  ...CITIES.map((c) => ex('weather', `[${c}](location)明天天气怎么样`)),
  ...CITIES.map((c) => ex('weather', `[${c}](location)今天下雨吗`)),
  ...EN_CITIES.map((c) => ex('weather', `weather in [${c}](location) tomorrow`)),
  ...EN_CITIES.map((c) => ex('weather', `is it raining in [${c}](location)`)),
];
const SHOP = [ex('buy', '我想买一张[桌子](category)'), ex('buy', 'I want a [table](category)'), ex('browse', '看看[T恤](category)')];

const types = (es: Entity[]) => es.map((e) => e.entity);

describe.each(testDatabases())('NLU entity precedence and settings on %s', (db) => {
  let t: TestApp;
  const parse = async (texts: string[]): Promise<Entity[][]> =>
    (await t.http().post('/api/v1/nlu/parse/batch').send({ texts }).expect(200)).body.map((r: { entities: Entity[] }) => r.entities);

  beforeAll(async () => {
    t = await startTestApp({ db, env: { NLU_BOOTSTRAP: 'false' } });
    await t.app.get(InferencePool).startup;
  });
  afterAll(() => t.close(true));

  it('drops the shop lists when a replace import brings data that does not label them', async () => {
    const initial = (await t.http().get('/api/v1/nlu/settings').expect(200)).body;
    expect(initial).toMatchObject({ updatedAt: null, builtins: { number: { enabled: true, entity: 'number' }, quantity: { enabled: 'auto' } }, gazetteers: { category: { enabled: 'auto', entity: 'category' } } });
    await t.http().post('/api/v1/nlu/import').send({ format: 'json', content: SHOP, mode: 'merge' }).expect(200);
    expect((await t.http().get('/api/v1/nlu/settings').expect(200)).body.active.gazetteers).toEqual(['city', 'category']);

    await t.http().post('/api/v1/nlu/import').send({ format: 'json', content: BOOKINGS, mode: 'replace' }).expect(200);
    const active = (await t.http().get('/api/v1/nlu/settings').expect(200)).body.active;
    expect(active.gazetteers).toEqual(['city']);
    expect(active.builtins).not.toContain('quantity');
    expect(active.builtins).toContain('number');
  });

  it('reports the user\'s trained types over the built-ins, and no shop categories', async () => {
    const job = await t.http().post('/api/v1/nlu/train').expect(202);
    await t.app.get(NluTrainingService).whenIdle();
    const trained = (await t.http().get(`/api/v1/nlu/train/${job.body.version}`).expect(200)).body;
    expect({ status: trained.status, active: trained.active, error: trained.error }).toEqual({ status: 'ready', active: true, error: null });

    const [booking, zhBooking, zhWeather, enWeather, song] = await parse(['book a table for 4 people', '订4位的桌子', '北京明天天气怎么样', 'weather in Paris tomorrow', '播放一首歌']);
    expect(booking.find((e) => e.text === '4')).toMatchObject({ entity: 'party_size', extractor: 'tagger' });
    expect(types(booking)).not.toContain('number');
    expect(types(booking)).not.toContain('category');
    expect(zhBooking.find((e) => e.text === '4')).toMatchObject({ entity: 'party_size' });
    expect(types(zhBooking)).not.toContain('category');
    expect(zhWeather.find((e) => e.text === '北京')).toMatchObject({ entity: 'location' });
    expect(zhWeather.find((e) => e.text === '明天')).toMatchObject({ entity: 'date' });
    expect(types(zhWeather)).not.toContain('city');
    expect(enWeather.find((e) => e.text === 'Paris')).toMatchObject({ entity: 'location' });
    expect(types(song)).not.toContain('quantity');
  });

  it('applies settings changes at once: built-ins under the user\'s names, gazetteers on and off', async () => {
    const put = await t
      .http()
      .put('/api/v1/nlu/settings')
      .send({ builtins: { number: { entity: 'party_size' } }, gazetteers: { city: { entity: 'location' }, category: { enabled: true } } })
      .expect(200);
    expect(put.body.builtins.number).toEqual({ enabled: true, entity: 'party_size' });
    expect(put.body.active.gazetteers).toEqual(['city', 'category']);
    expect(put.body.updatedAt).toEqual(expect.any(String));

    const [booking, unseen] = await parse(['book a table for 4 people', '下周去天津出差']);
    expect(booking.find((e) => e.text === '4')).toMatchObject({ entity: 'party_size', value: 4, extractor: 'builtin' });
    expect(booking.find((e) => e.text === 'table')).toMatchObject({ entity: 'category' });
    expect(unseen.find((e) => e.text === '天津')).toMatchObject({ entity: 'location' });
    expect(types(unseen)).not.toContain('city');

    // the settings are stored: what GET returns is what PUT said, defaults for the rest
    const got = (await t.http().get('/api/v1/nlu/settings').expect(200)).body;
    expect(got.gazetteers).toEqual({ city: { enabled: true, entity: 'location' }, category: { enabled: true, entity: 'category' } });
    expect(got.builtins.date).toEqual({ enabled: true, entity: 'date' });

    await t.http().put('/api/v1/nlu/settings').send({ builtins: { date: { enabled: false } } }).expect(200);
    const [weather, booking2] = await parse(['北京明天天气怎么样', 'book a table for 4 people']);
    expect(weather.find((e) => e.entity === 'date' && e.extractor === 'builtin')).toBeUndefined();
    expect(types(booking2)).not.toContain('category');
  });

  it('refuses bad settings with a 400 naming the field', async () => {
    for (const body of [{ builtins: { money: { enabled: true } } }, { builtins: { number: { enabled: 'yes' } } }, { gazetteers: { city: { entity: 'bad name!' } } }, { builtins: { number: 'on' } }]) {
      const res = await t.http().put('/api/v1/nlu/settings').send(body).expect(400);
      expect(res.body.message).toMatch(/money|enabled|entity|number/);
    }
  });
});
