import { SETTINGS, SettingKey, SettingSpec } from './config.schema';

/** One parsed API key from the API_KEYS variable. */
export interface ConfiguredApiKey {
  key: string;
  role: 'platform' | 'admin' | 'user';
  owner: string;
  /** the project the key belongs to (default: `default`) */
  project: string;
}

/** A project id: a lowercase slug (migrations/1764633600000-projects.ts checks the same). */
export const PROJECT_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The validated settings. Built once at start-up by `loadConfig`; modules inject it
 * (token `AppConfig`) and never read `process.env`.
 */
export class AppConfig {
  readonly nodeEnv!: 'development' | 'production' | 'test';
  readonly port!: number;
  readonly host!: string;
  readonly dataDir!: string;
  readonly databaseUrl!: string | undefined;
  readonly migrationsRun!: boolean;
  readonly modelsDir!: string;
  readonly apiKeys!: ConfiguredApiKey[];
  readonly logLevel!: string;
  readonly bodyLimitBytes!: number;
  /** NLU_IMPORT_BODY_LIMIT: the body limit of the NLU training-data import routes */
  readonly nluImportBodyLimitBytes!: number;
  /** BULK_BODY_LIMIT: the body limit of bulk document and event writes */
  readonly bulkBodyLimitBytes!: number;
  readonly rateLimitTtlMs!: number;
  readonly rateLimitMax!: number;
  readonly shutdownTimeoutMs!: number;
  readonly corsOrigins!: string[];
  /** Raw validated values by variable name, for settings added by later modules. */
  readonly raw!: Readonly<Record<SettingKey, string>>;

  constructor(init: Omit<AppConfig, never>) {
    Object.assign(this, init);
  }
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseSize(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]);
}

function checkValue(name: string, spec: SettingSpec, value: string): string | undefined {
  if (spec.keywords?.includes(value.trim().toLowerCase())) return undefined;
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
        return `${name}=${JSON.stringify(value)} is not ${spec.kind === 'int' ? 'an integer' : 'a number'}`;
      }
      if (spec.min !== undefined && n < spec.min) return `${name}=${value} is below the minimum ${spec.min}`;
      if (spec.max !== undefined && n > spec.max) return `${name}=${value} is above the maximum ${spec.max}`;
      return undefined;
    }
    case 'bool':
      return /^(true|false|1|0|yes|no)$/i.test(value) ? undefined : `${name}=${JSON.stringify(value)} must be true or false`;
    case 'enum':
      return spec.values!.includes(value) ? undefined : `${name}=${JSON.stringify(value)} must be one of ${spec.values!.join(', ')}`;
    case 'url':
      if (value === '') return undefined;
      try {
        const u = new URL(value);
        const protocols = spec.protocols ?? ['postgres', 'postgresql'];
        return protocols.includes(u.protocol.replace(/:$/, '')) ? undefined : `${name} must be a ${protocols[0]}:// URL (got protocol ${u.protocol})`;
      } catch {
        return `${name} is not a valid URL`;
      }
    case 'size':
      return parseSize(value) === undefined ? `${name}=${JSON.stringify(value)} is not a size such as 512kb or 1mb${spec.keywords ? ` (or ${spec.keywords.join(', ')})` : ''}` : undefined;
    default:
      return undefined;
  }
}

export function parseApiKeys(value: string, problems: string[]): ConfiguredApiKey[] {
  const keys: ConfiguredApiKey[] = [];
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  entries.forEach((entry, i) => {
    const [key, role, owner, project] = entry.split(':');
    if (!key || key.length < 8) {
      problems.push(`API_KEYS entry ${i + 1}: the key must be at least 8 characters`);
      return;
    }
    if (role !== 'platform' && role !== 'admin' && role !== 'user') {
      problems.push(`API_KEYS entry ${i + 1}: role must be platform, admin or user (format key:role[:owner[:project]])`);
      return;
    }
    if (project !== undefined && !PROJECT_ID.test(project)) {
      problems.push(`API_KEYS entry ${i + 1}: project must be a project id (lowercase letters, digits and -, at most 64)`);
      return;
    }
    keys.push({ key, role, owner: owner || (role === 'user' ? `key-${i + 1}` : role), project: project || 'default' });
  });
  return keys;
}

const truthy = (v: string) => /^(true|1|yes)$/i.test(v);
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Parses and validates every setting. Collects all problems before failing, so an
 * operator fixes the whole `.env` in one go.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const problems: string[] = [];
  const raw = {} as Record<SettingKey, string>;
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingKey, SettingSpec][]) {
    const value = env[name]?.trim() ?? spec.default ?? '';
    const problem = checkValue(name, spec, value);
    if (problem) problems.push(problem);
    raw[name] = value;
  }
  const apiKeys = parseApiKeys(raw.API_KEYS, problems);
  if (!raw.DATABASE_URL && Number(raw.REPLICAS) > 1) problems.push(`REPLICAS=${raw.REPLICAS} needs DATABASE_URL: the embedded database (PGlite) serves one process; replicas share a PostgreSQL (docs/scaling.md)`);
  if (!raw.DATABASE_URL && !truthy(raw.JOBS_EXECUTE)) problems.push('JOBS_EXECUTE=false needs DATABASE_URL: on the embedded database no other replica could run the jobs');
  if (problems.length) throw new ConfigValidationError(problems);
  return new AppConfig({
    nodeEnv: raw.NODE_ENV as AppConfig['nodeEnv'],
    port: Number(raw.PORT),
    host: raw.HOST,
    dataDir: raw.DATA_DIR,
    databaseUrl: raw.DATABASE_URL || undefined,
    migrationsRun: truthy(raw.DB_MIGRATIONS_RUN),
    modelsDir: raw.MODELS_DIR,
    apiKeys,
    logLevel: raw.LOG_LEVEL,
    bodyLimitBytes: parseSize(raw.BODY_LIMIT)!,
    nluImportBodyLimitBytes: parseSize(raw.NLU_IMPORT_BODY_LIMIT)!,
    bulkBodyLimitBytes: parseSize(raw.BULK_BODY_LIMIT)!,
    rateLimitTtlMs: Number(raw.RATE_LIMIT_TTL_MS),
    rateLimitMax: Number(raw.RATE_LIMIT_MAX),
    shutdownTimeoutMs: Number(raw.SHUTDOWN_TIMEOUT_MS),
    corsOrigins: list(raw.CORS_ORIGINS),
    raw,
  });
}

/** Reads a setting added by a later module, typed by its schema kind. */
export function settingNumber(config: AppConfig, key: SettingKey): number {
  return Number(config.raw[key]);
}

export function settingBool(config: AppConfig, key: SettingKey): boolean {
  return truthy(config.raw[key]);
}

export function settingList(config: AppConfig, key: SettingKey): string[] {
  return list(config.raw[key]);
}
