import { Logger } from '@nestjs/common';
import type { Lang } from '../domain/domain';
import { Forecast, UnknownPlaceError, WeatherProvider, WeatherUnavailableError } from './weather-provider';

export interface OpenMeteoOptions {
  geocodingUrl: string;
  forecastUrl: string;
  timeoutMs: number;
  retries: number;
}

interface GeocodingAnswer {
  results?: { name: string; latitude: number; longitude: number; timezone?: string }[];
}
interface ForecastAnswer {
  current?: { temperature_2m: number; weather_code: number };
  daily?: { time: string[]; weather_code: number[]; temperature_2m_max: number[]; temperature_2m_min: number[] };
}

/**
 * Open-Meteo (https://open-meteo.com, no key): the geocoding API finds the place, the forecast
 * API gives the current weather and the daily range. Each call has a timeout and is retried
 * on network errors and 5xx; what still fails is WeatherUnavailableError.
 */
export class OpenMeteoWeather extends WeatherProvider {
  private readonly logger = new Logger('Weather');

  constructor(private readonly options: OpenMeteoOptions) {
    super();
  }

  async forecast(place: string, dayOffset: number, lang: Lang): Promise<Forecast> {
    const geo = await this.get<GeocodingAnswer>(this.options.geocodingUrl, { name: place, count: '1', language: lang, format: 'json' });
    const hit = geo.results?.[0];
    if (!hit) throw new UnknownPlaceError(place);
    const days = Math.max(1, dayOffset + 1);
    const f = await this.get<ForecastAnswer>(this.options.forecastUrl, {
      latitude: String(hit.latitude),
      longitude: String(hit.longitude),
      current: 'temperature_2m,weather_code',
      daily: 'weather_code,temperature_2m_max,temperature_2m_min',
      timezone: hit.timezone ?? 'auto',
      forecast_days: String(days),
    });
    const d = f.daily;
    if (dayOffset === 0 && f.current && Number.isFinite(f.current.temperature_2m)) {
      return { place: hit.name, code: f.current.weather_code, temperature: Math.round(f.current.temperature_2m), min: d?.temperature_2m_min?.[0], max: d?.temperature_2m_max?.[0] };
    }
    if (!d || d.time.length <= dayOffset || !Number.isFinite(d.temperature_2m_max[dayOffset])) throw new WeatherUnavailableError('the forecast has no such day');
    const min = Math.round(d.temperature_2m_min[dayOffset]);
    const max = Math.round(d.temperature_2m_max[dayOffset]);
    return { place: hit.name, code: d.weather_code[dayOffset], temperature: Math.round((min + max) / 2), min, max };
  }

  private async get<T>(base: string, params: Record<string, string>): Promise<T> {
    const url = `${base}?${new URLSearchParams(params).toString()}`;
    let last: unknown;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
        if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
        if (!res.ok) throw new WeatherUnavailableError(`HTTP ${res.status}`);
        return (await res.json()) as T;
      } catch (err) {
        last = err;
        if (err instanceof WeatherUnavailableError) break;
      }
    }
    this.logger.warn(`Weather request to ${base} failed: ${(last as Error)?.message ?? String(last)}`);
    throw new WeatherUnavailableError((last as Error)?.message ?? 'unreachable');
  }
}
