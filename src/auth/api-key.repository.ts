import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

export type RevokeOutcome = { outcome: 'missing' } | { outcome: 'refused'; reason: string } | { outcome: 'revoked'; target: ApiKeyEntity; remaining: number };

/** The api_keys table. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly repo: Repository<ApiKeyEntity>) {}

  findActiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOne({ where: { keyHash, revokedAt: IsNull() } });
  }

  countActive(): Promise<number> {
    return this.repo.count({ where: { revokedAt: IsNull() } });
  }

  list(projectId?: string): Promise<ApiKeyEntity[]> {
    return this.repo.find({ where: projectId ? { projectId } : {}, order: { createdAt: 'DESC' } });
  }

  insert(key: Pick<ApiKeyEntity, 'name' | 'keyHash' | 'keyPrefix' | 'role' | 'ownerId' | 'projectId'>): Promise<ApiKeyEntity> {
    return this.repo.save(this.repo.create(key));
  }

  /**
   * Revokes `id` (when `projectId` is given, only a key of that project) unless `refuse`
   * (given the key and every active key) names a reason.
   * The active rows stay locked until the revocation commits, so two concurrent
   * revocations cannot both see another admin key and remove the last one.
   */
  revokeUnless(id: string, projectId: string | undefined, refuse: (target: ApiKeyEntity, active: ApiKeyEntity[]) => string | undefined): Promise<RevokeOutcome> {
    return this.repo.manager.transaction(async (m) => {
      const rows = m.getRepository(ApiKeyEntity);
      const active = await rows.createQueryBuilder('k').setLock('pessimistic_write').where('k.revoked_at IS NULL').getMany();
      const target = active.find((k) => k.id === id);
      if (!target || (projectId !== undefined && target.projectId !== projectId)) return { outcome: 'missing' };
      const reason = refuse(target, active);
      if (reason) return { outcome: 'refused', reason };
      await rows.update({ id }, { revokedAt: new Date() });
      return { outcome: 'revoked', target, remaining: active.length - 1 };
    });
  }

  async touch(id: string): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: new Date() });
  }
}
