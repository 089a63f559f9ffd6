import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConflictError, NotFoundError } from '../common/errors';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { generateKey, hashKey, keyPrefix, sameHash } from './key-hash';
import { KEYED_WARNING, KEYLESS_WARNING, revocationRefusal } from './key-policy';
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
  /** keyed: every route needs a key; keyless: no key anywhere, the server is open. Undefined until start. */
  private mode?: 'keyed' | 'keyless';

  constructor(
    config: AppConfig,
    private readonly keys: ApiKeyRepository,
  ) {
    this.envKeys = config.apiKeys.map((k) => ({ hash: hashKey(k.key), role: k.role, owner: k.owner }));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.keysConfigured();
  }

  /** Whether any key exists. Logs each switch between keyed and keyless mode, however it happened (API, CLI, another replica). */
  async keysConfigured(): Promise<boolean> {
    if (this.envKeys.length > 0) {
      this.noteMode(true);
      return true;
    }
    const now = Date.now();
    if (now - this.dbCount.at > COUNT_CACHE_MS) {
      this.dbCount = { value: await this.keys.countActive(), at: now };
      this.noteMode(this.dbCount.value > 0);
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
    await this.keysConfigured();
    return { key, entity };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.keys.list();
  }

  /**
   * Revokes a stored key. Refuses (409) to remove the last admin key or the last key
   * of all while API_KEYS is empty, unless `force`: that would open the server.
   */
  async revoke(id: string, options: { force?: boolean } = {}): Promise<void> {
    const envKeysSet = this.envKeys.length > 0;
    let overridden: string | undefined;
    const res = await this.keys.revokeUnless(id, (target, active) => {
      const refusal = revocationRefusal(target, active, envKeysSet);
      if (!options.force) return refusal;
      overridden = refusal;
      return undefined;
    });
    if (res.outcome === 'missing') throw new NotFoundError(`No active API key with id ${id}`);
    if (res.outcome === 'refused') throw new ConflictError(res.reason);
    this.dbCount.at = 0;
    if (overridden) this.logger.warn(`API key ${res.target.keyPrefix}… revoked with force=true, overriding: ${overridden}`);
    else this.logger.log(`API key ${res.target.keyPrefix}… revoked`);
    await this.keysConfigured();
  }

  private noteMode(keyed: boolean): void {
    const mode = keyed ? 'keyed' : 'keyless';
    if (mode === this.mode) return;
    const starting = this.mode === undefined;
    this.mode = mode;
    if (starting && keyed) this.logger.log(`Starting in keyed mode. ${KEYED_WARNING}`);
    else if (starting) this.logger.warn(`Starting in keyless mode. ${KEYLESS_WARNING}`);
    else if (keyed) this.logger.warn(`Switched from keyless to keyed mode: the first API key was stored. ${KEYED_WARNING}`);
    else this.logger.warn(`Switched from keyed to keyless mode: the last active API key was revoked. ${KEYLESS_WARNING}`);
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.keys.touch(id).catch((err: Error) => this.logger.warn(`Could not record key use: ${err.message}`));
  }
}
