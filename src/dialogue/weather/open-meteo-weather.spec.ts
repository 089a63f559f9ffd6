import { FakeOpenMeteo, startFakeOpenMeteo } from './open-meteo.fake';
import { OpenMeteoWeather } from './open-meteo-weather';
import { UnknownPlaceError, WeatherUnavailableError } from './weather-provider';

describe('OpenMeteoWeather against a server speaking Open-Meteo', () => {
  let fake: FakeOpenMeteo;
  const weather = (timeoutMs = 1000, retries = 2) => new OpenMeteoWeather({ geocodingUrl: fake.geocodingUrl, forecastUrl: fake.forecastUrl, timeoutMs, retries });

  beforeAll(async () => {
    fake = await startFakeOpenMeteo();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.mode = 'up';
    fake.delayMs = 0;
  });

  it('geocodes the place in the asked language, then reads the current weather or the day', async () => {
    expect(await weather().forecast('Beijing', 0, 'zh')).toEqual({ place: '北京', code: 0, temperature: 25, min: 15, max: 26 });
    expect(await weather().forecast('上海', 1, 'en')).toEqual({ place: 'Shanghai', code: 61, temperature: 24, min: 21, max: 27 });
    await expect(weather().forecast('Atlantis', 0, 'en')).rejects.toBeInstanceOf(UnknownPlaceError);
  });

  it('retries a 5xx, then gives up as unavailable (never a guess)', async () => {
    fake.mode = 'down';
    const before = fake.requests;
    await expect(weather(1000, 2).forecast('北京', 0, 'zh')).rejects.toBeInstanceOf(WeatherUnavailableError);
    expect(fake.requests - before).toBe(3);
  });

  it('a call slower than the timeout is unavailable', async () => {
    fake.delayMs = 300;
    await expect(weather(50, 0).forecast('北京', 0, 'zh')).rejects.toBeInstanceOf(WeatherUnavailableError);
  });
});
