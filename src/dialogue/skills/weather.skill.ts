import { Injectable } from '@nestjs/common';
import { UnknownPlaceError, WeatherProvider, WeatherUnavailableError, describeWeather } from '../weather/weather-provider';
import { Skill, SkillContext, SkillResult } from './skill';

const DAYS: Record<string, { offset: number; zh: string; en: string }> = {
  today: { offset: 0, zh: '今天', en: 'today' },
  tomorrow: { offset: 1, zh: '明天', en: 'tomorrow' },
  day_after_tomorrow: { offset: 2, zh: '后天', en: 'the day after tomorrow' },
};

/** The weather of a city (the message's, the user's profile's, else the assistant's default) on a day, from the WeatherProvider; never invented. */
@Injectable()
export class WeatherSkill implements Skill {
  readonly name = 'weather' as const;

  constructor(private readonly weather: WeatherProvider) {}

  async run(ctx: SkillContext): Promise<SkillResult> {
    const city = String(ctx.slots.city ?? ctx.profile.city ?? ctx.domain.settings.defaultCity);
    const day = DAYS[String(ctx.slots.date ?? 'today')] ?? DAYS.today;
    const vars = { city, date_text: day[ctx.lang] };
    try {
      const f = await this.weather.forecast(city, day.offset, ctx.lang);
      const temperature = day.offset === 0 || f.min === undefined || f.max === undefined ? `${f.temperature}` : `${Math.round(f.min)}~${Math.round(f.max)}`;
      return { response: 'weather_report', vars: { ...vars, city: f.place, condition: describeWeather(f.code, ctx.lang), temperature }, action: 'report' };
    } catch (err) {
      if (err instanceof UnknownPlaceError) return { response: ctx.domain.responses.weather_unknown_city ? 'weather_unknown_city' : 'weather_unavailable', vars, slots: { city: null }, action: 'unknown_city' };
      if (err instanceof WeatherUnavailableError) return { response: 'weather_unavailable', vars, action: 'unavailable' };
      throw err;
    }
  }
}
