import { AppConfig, settingBool, settingNumber } from '../config/app-config';
import type { OpenMeteoOptions } from './weather/open-meteo-weather';

/** The dialogue settings, parsed once (a wrong weather URL stops the start naming the variable). */
export interface DialogueSettings {
  weather: OpenMeteoOptions;
  turnTimeoutMs: number;
  exampleSimilarity: number;
  faqSeed: boolean;
}

export const DIALOGUE_SETTINGS = Symbol('DialogueSettings');

function httpUrl(config: AppConfig, key: 'DIALOGUE_WEATHER_GEOCODING_URL' | 'DIALOGUE_WEATHER_FORECAST_URL'): string {
  const value = String(config.raw[key]);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`${key}=${JSON.stringify(value)} is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${key} must be an http(s) URL (got ${u.protocol})`);
  return value;
}

export function dialogueSettings(config: AppConfig): DialogueSettings {
  return {
    weather: {
      geocodingUrl: httpUrl(config, 'DIALOGUE_WEATHER_GEOCODING_URL'),
      forecastUrl: httpUrl(config, 'DIALOGUE_WEATHER_FORECAST_URL'),
      timeoutMs: settingNumber(config, 'DIALOGUE_WEATHER_TIMEOUT_MS'),
      retries: settingNumber(config, 'DIALOGUE_WEATHER_RETRIES'),
    },
    turnTimeoutMs: settingNumber(config, 'DIALOGUE_TURN_TIMEOUT_MS'),
    exampleSimilarity: settingNumber(config, 'DIALOGUE_EXAMPLE_SIMILARITY'),
    faqSeed: settingBool(config, 'DIALOGUE_FAQ_SEED'),
  };
}
