import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors';
import { ProjectsService } from '../projects/projects.service';
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
  private readonly envKeys: { hash: string; role: Role; owner: string; project: string }[];
  private dbCount = { value: 0, at: 0 };
  private readonly touched = new Map<string, number>();
  /** keyed: every route needs a key; keyless: no key anywhere, the server is open. Undefined until start. */
  private mode?: 'keyed' | 'keyless';

  constructor(
    config: AppConfig,
    private readonly keys: ApiKeyRepository,
    private readonly projects: ProjectsService,
  ) {
    this.envKeys = config.apiKeys.map((k) => ({ hash: hashKey(k.key), role: k.role, owner: k.owner, project: k.project }));
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

  /** The key's principal, acting in its own project (the guard applies X-LLMOS-Project for platform keys). */
  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashKey(token);
    const env = this.envKeys.find((k) => sameHash(k.hash, hash));
    if (env) return { role: env.role, ownerId: env.owner, keyId: `env:${hash.slice(0, 12)}`, projectId: env.project, keyProjectId: env.project, anonymous: false };
    const row = await this.keys.findActiveByHash(hash);
    if (!row) return undefined;
    this.touch(row.id);
    return { role: row.role, ownerId: row.ownerId, keyId: row.id, projectId: row.projectId, keyProjectId: row.projectId, anonymous: false };
  }

  /**
   * Creates a key in `projectId`. A platform key may create any key in any project; a
   * project admin only admin and user keys of its own project (`by` absent: the CLI).
   */
  async create(input: { name: string; role: Role; ownerId: string; projectId: string }, by?: Principal): Promise<CreatedKey> {
    if (by && by.role !== 'platform') {
      if (input.projectId !== by.projectId) throw new NotFoundError(`No project ${input.projectId} for this key`);
      if (input.role === 'platform') throw new ForbiddenError('Only a platform key may create platform keys');
    }
    if (!(await this.projects.exists(input.projectId))) throw new NotFoundError(`No project ${input.projectId}; create it first (POST /api/v1/projects)`);
    const key = generateKey();
    const entity = await this.keys.insert({ name: input.name, role: input.role, ownerId: input.ownerId, projectId: input.projectId, keyHash: hashKey(key), keyPrefix: keyPrefix(key) });
    this.dbCount.at = 0;
    this.logger.log(`API key ${entity.keyPrefix}… created for owner ${entity.ownerId} (${entity.role}, project ${entity.projectId})`);
    await this.keysConfigured();
    return { key, entity };
  }

  /** Stored keys: of one project, or of all (platform, CLI). */
  list(projectId?: string): Promise<ApiKeyEntity[]> {
    return this.keys.list(projectId);
  }

  /**
   * Revokes a stored key. Refuses (409) to remove the last admin key or the last key
   * of all while API_KEYS is empty, unless `force`: that would open the server.
   */
  async revoke(id: string, options: { force?: boolean; projectId?: string } = {}): Promise<void> {
    const envKeysSet = this.envKeys.length > 0;
    let overridden: string | undefined;
    const res = await this.keys.revokeUnless(id, options.projectId, (target, active) => {
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
