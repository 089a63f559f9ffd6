import type { Lang } from '../domain/domain';

export interface Forecast {
  /** the place's name as the provider spells it in the asked language */
  place: string;
  /** WMO weather code (Open-Meteo's `weather_code`) */
  code: number;
  /** current temperature today; the day's range on other days (°C) */
  temperature: number;
  min?: number;
  max?: number;
}

/** The provider answered that no such place exists. */
export class UnknownPlaceError extends Error {}
/** The provider could not be reached or answered garbage: say so, never guess. */
export class WeatherUnavailableError extends Error {}

/** Where weather comes from (port; OpenMeteoWeather is the adapter). */
export abstract class WeatherProvider {
  /** `dayOffset` 0 = today, 1 = tomorrow, ... */
  abstract forecast(place: string, dayOffset: number, lang: Lang): Promise<Forecast>;
}

const WMO: [number[], string, string][] = [
  [[0], '晴', 'clear sky'],
  [[1], '晴间多云', 'mainly clear'],
  [[2], '多云', 'partly cloudy'],
  [[3], '阴', 'overcast'],
  [[45, 48], '雾', 'fog'],
  [[51, 53, 55, 56, 57], '毛毛雨', 'drizzle'],
  [[61, 63, 65, 66, 67, 80, 81, 82], '雨', 'rain'],
  [[71, 73, 75, 77, 85, 86], '雪', 'snow'],
  [[95, 96, 99], '雷阵雨', 'thunderstorm'],
];

/** A WMO weather code in words. */
export function describeWeather(code: number, lang: Lang): string {
  const row = WMO.find(([codes]) => codes.includes(code));
  if (!row) return lang === 'zh' ? '未知' : 'unknown conditions';
  return lang === 'zh' ? row[1] : row[2];
}
