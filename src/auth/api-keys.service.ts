import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { NotFoundError } from '../common/errors';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { generateKey, hashKey, keyPrefix, sameHash } from './key-hash';
import { Principal, Role } from './principal';

const COUNT_CACHE_MS = 10_000;
const TOUCH_EVERY_MS = 60_000;

export interface CreatedKey {
  key: string;
  entity: ApiKeyEntity;
}

/**
 * API keys from two places: the API_KEYS variable (never stored) and the api_keys table
 * (stored as SHA-256 hashes, managed by the admin API and `npm run keys`).
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  private readonly envKeys: { hash: string; role: Role; owner: string }[];
  private dbCount = { value: 0, at: 0 };
  private readonly touched = new Map<string, number>();

  constructor(
    config: AppConfig,
    private readonly keys: ApiKeyRepository,
  ) {
    this.envKeys = config.apiKeys.map((k) => ({ hash: hashKey(k.key), role: k.role, owner: k.owner }));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.keysConfigured())) {
      this.logger.warn('No API keys configured: every route is open, and admin routes answer only loopback callers. Set API_KEYS or run `npm run keys -- create`.');
    }
  }

  async keysConfigured(): Promise<boolean> {
    if (this.envKeys.length > 0) return true;
    const now = Date.now();
    if (now - this.dbCount.at > COUNT_CACHE_MS) {
      this.dbCount = { value: await this.keys.countActive(), at: now };
    }
    return this.dbCount.value > 0;
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashKey(token);
    const env = this.envKeys.find((k) => sameHash(k.hash, hash));
    if (env) return { role: env.role, ownerId: env.owner, keyId: `env:${hash.slice(0, 12)}`, anonymous: false };
    const row = await this.keys.findActiveByHash(hash);
    if (!row) return undefined;
    this.touch(row.id);
    return { role: row.role, ownerId: row.ownerId, keyId: row.id, anonymous: false };
  }

  async create(input: { name: string; role: Role; ownerId: string }): Promise<CreatedKey> {
    const key = generateKey();
    const entity = await this.keys.insert({ name: input.name, role: input.role, ownerId: input.ownerId, keyHash: hashKey(key), keyPrefix: keyPrefix(key) });
    this.dbCount.at = 0;
    this.logger.log(`API key ${entity.keyPrefix}… created for owner ${entity.ownerId} (${entity.role})`);
    return { key, entity };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.keys.list();
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw new NotFoundError(`No active API key with id ${id}`);
    this.dbCount.at = 0;
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.keys.touch(id).catch((err: Error) => this.logger.warn(`Could not record key use: ${err.message}`));
  }
}
