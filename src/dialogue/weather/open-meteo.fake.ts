import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const PLACES: Record<string, { zh: string; en: string; latitude: number; longitude: number }> = {
  北京: { zh: '北京', en: 'Beijing', latitude: 39.9075, longitude: 116.39723 },
  beijing: { zh: '北京', en: 'Beijing', latitude: 39.9075, longitude: 116.39723 },
  上海: { zh: '上海', en: 'Shanghai', latitude: 31.22222, longitude: 121.45806 },
  shanghai: { zh: '上海', en: 'Shanghai', latitude: 31.22222, longitude: 121.45806 },
};

export interface FakeOpenMeteo {
  geocodingUrl: string;
  forecastUrl: string;
  /** up: answers; down: 503 to everything; requests counts calls */
  mode: 'up' | 'down';
  /** each answer waits this long (a slow service) */
  delayMs: number;
  requests: number;
  close: () => Promise<void>;
}

/**
 * A local server that speaks Open-Meteo's geocoding (/v1/search) and forecast (/v1/forecast)
 * APIs with their real response shapes; Beijing is 25 °C and clear now, tomorrow rain 18~24.
 */
export async function startFakeOpenMeteo(): Promise<FakeOpenMeteo> {
  const state = { mode: 'up' as 'up' | 'down', requests: 0, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) =>
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }, state.delayMs);
    if (state.mode === 'down') return json(503, { error: true, reason: 'maintenance' });
    if (url.pathname === '/v1/search') {
      const name = url.searchParams.get('name') ?? '';
      const lang = url.searchParams.get('language') === 'zh' ? 'zh' : 'en';
      const p = PLACES[name.toLowerCase()];
      if (!p) return json(200, { generationtime_ms: 0.2 });
      return json(200, { results: [{ id: 1816670, name: p[lang], latitude: p.latitude, longitude: p.longitude, elevation: 49, feature_code: 'PPLC', country_code: 'CN', timezone: 'Asia/Shanghai', country: lang === 'zh' ? '中国' : 'China' }], generationtime_ms: 0.5 });
    }
    if (url.pathname === '/v1/forecast') {
      const lat = Number(url.searchParams.get('latitude'));
      const days = Number(url.searchParams.get('forecast_days') ?? 7);
      if (!Number.isFinite(lat) || !url.searchParams.get('daily')) return json(400, { error: true, reason: 'Parameter latitude and daily required' });
      const base = lat > 35 ? 0 : 3;
      const all = { time: ['2026-12-01', '2026-12-02', '2026-12-03'], weather_code: [0, 61, 3], temperature_2m_max: [26 + base, 24 + base, 20 + base], temperature_2m_min: [15 + base, 18 + base, 12 + base] };
      const daily = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, (v as unknown[]).slice(0, days)]));
      return json(200, {
        latitude: lat,
        longitude: Number(url.searchParams.get('longitude')),
        timezone: url.searchParams.get('timezone'),
        current_units: { temperature_2m: '°C', weather_code: 'wmo code' },
        current: { time: '2026-12-01T14:00', interval: 900, temperature_2m: 25.2 + base, weather_code: 0 },
        daily_units: { temperature_2m_max: '°C', temperature_2m_min: '°C', weather_code: 'wmo code' },
        daily,
      });
    }
    json(404, { error: true, reason: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeOpenMeteo = {
    geocodingUrl: `http://127.0.0.1:${port}/v1/search`,
    forecastUrl: `http://127.0.0.1:${port}/v1/forecast`,
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms) {
      state.delayMs = ms;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}
