import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './app-config';
import { SETTINGS } from './config.schema';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./var');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.modelsDir).toBe('./models');
    expect(c.apiKeys).toEqual([]);
    expect(c.bodyLimitBytes).toBe(1024 * 1024);
    expect(c.migrationsRun).toBe(true);
  });

  it('names every bad variable at once', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', BODY_LIMIT: 'huge', API_KEYS: 'short:admin,longenoughkey:root' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    const problems = (err as ConfigValidationError).problems.join('\n');
    expect(problems).toMatch(/PORT="eighty" is not an integer/);
    expect(problems).toMatch(/LOG_LEVEL="loud" must be one of/);
    expect(problems).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(problems).toMatch(/BODY_LIMIT="huge"/);
    expect(problems).toMatch(/API_KEYS entry 1: the key must be at least 8 characters/);
    expect(problems).toMatch(/API_KEYS entry 2: role must be platform, admin or user/);
  });

  it('replicas need a shared database, and Redis is a redis:// URL', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (e) {
        return (e as ConfigValidationError).problems.join('\n');
      }
    };
    expect(problems({ REPLICAS: '3' })).toMatch(/REPLICAS=3 needs DATABASE_URL/);
    expect(problems({ JOBS_EXECUTE: 'false' })).toMatch(/JOBS_EXECUTE=false needs DATABASE_URL/);
    expect(problems({ REDIS_URL: 'postgres://db:5432/x' })).toMatch(/REDIS_URL must be a redis:\/\/ URL/);
    expect(problems({ REPLICAS: '3', JOBS_EXECUTE: 'false', DATABASE_URL: 'postgres://db/x', REDIS_URL: 'rediss://cache:6380' })).toBe('');
  });

  it('parses API keys with owners', () => {
    const c = loadConfig({ API_KEYS: 'sk-admin-123:admin:ops, sk-user-456:user:alice ,sk-user-789:user' });
    expect(c.apiKeys).toEqual([
      { key: 'sk-admin-123', role: 'admin', owner: 'ops', project: 'default' },
      { key: 'sk-user-456', role: 'user', owner: 'alice', project: 'default' },
      { key: 'sk-user-789', role: 'user', owner: 'key-3', project: 'default' },
    ]);
  });

  it('parses a key\'s project, and refuses one that is not a project id', () => {
    expect(loadConfig({ API_KEYS: 'sk-platform-1:platform,sk-shop-admin:admin:team:shop' }).apiKeys).toEqual([
      { key: 'sk-platform-1', role: 'platform', owner: 'platform', project: 'default' },
      { key: 'sk-shop-admin', role: 'admin', owner: 'team', project: 'shop' },
    ]);
    expect(() => loadConfig({ API_KEYS: 'sk-shop-admin:admin:team:Shop Team' })).toThrow(/API_KEYS entry 1: project must be a project id/);
  });

  it('.env.example documents exactly the settings, with their defaults', () => {
    const text = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const entries = new Map(
      text
        .split('\n')
        .map((l) => /^#?\s*([A-Z][A-Z0-9_]+)=(.*)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
    expect([...entries.keys()].sort()).toEqual(Object.keys(SETTINGS).sort());
    for (const [key, spec] of Object.entries(SETTINGS)) {
      expect(`${key}=${entries.get(key)}`).toBe(`${key}=${spec.default ?? ''}`);
    }
  });
});
