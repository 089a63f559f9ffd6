/**
 * The usage metrics a project is metered by (docs/usage.md). Names are stable: they are
 * stored in usage_counters.metric and read by billing and dashboards.
 */
export const USAGE_METRICS = {
  /** texts parsed by NLU (a batch of 10 counts 10) */
  nluParses: 'nlu.parses',
  /** prompt tokens of generation requests (once per request, whatever its n) */
  promptTokens: 'tokens.prompt',
  /** tokens generated, all choices of a request together (also for cancelled ones: they were computed) */
  generatedTokens: 'tokens.generated',
  /** texts embedded */
  embeddedTexts: 'embeddings.texts',
} as const;

/** `requests.<module>` counts each routed, admitted request of a module. */
export const requestMetric = (module: string) => `requests.${module}`;

/**
 * The module a route belongs to: /api/v1/<module>/... -> <module>, the OpenAI-compatible
 * /v1/... -> openai, anything else -> the path's first segment (or `root`). Give the route's
 * pattern (`/api/v1/nlu/examples/:id`), not the URL, so the set of names stays bounded.
 */
export function requestModule(routePath: string): string {
  const segments = routePath.split('?')[0].split('/').filter(Boolean);
  if (segments[0] === 'api' && /^v\d+$/.test(segments[1] ?? '') && segments[2]) return clean(segments[2]);
  if (segments[0] === 'v1') return 'openai';
  return segments[0] ? clean(segments[0]) : 'root';
}

/** Route segments are literals from controllers; a parameter as first segment is named `param`. */
const clean = (segment: string) => (segment.startsWith(':') ? 'param' : segment.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 40));

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

export type Granularity = 'hour' | 'day';

const STEP: Record<Granularity, number> = { hour: HOUR_MS, day: DAY_MS };

/** The start of the UTC hour (or day) containing `ms`. Epoch time has no leap seconds, so modulo is exact. */
export const floorTo = (ms: number, g: Granularity) => ms - mod(ms, STEP[g]);
/** The first boundary at or after `ms`. */
export const ceilTo = (ms: number, g: Granularity) => (mod(ms, STEP[g]) === 0 ? ms : floorTo(ms, g) + STEP[g]);
export const hourBucket = (ms: number) => floorTo(ms, 'hour');
export const utcDayStart = (ms: number) => floorTo(ms, 'day');

const mod = (a: number, b: number) => ((a % b) + b) % b;
