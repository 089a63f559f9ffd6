import { ConflictError, NotFoundError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { ProjectEntity } from './project.entity';
import { ProjectLifecycle } from './project-lifecycle';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

const row = (id: string, extra: Partial<ProjectEntity> = {}): ProjectEntity => ({ id, name: id, settings: {}, quotas: {}, createdAt: new Date(), updatedAt: new Date(), ...extra });

function setup(data: Record<string, number> = {}) {
  const rows = new Map<string, ProjectEntity>([['default', row('default')], ['shop', row('shop', { quotas: { requestsPerMinute: 60 } })]]);
  const repo = {
    get: jest.fn(async (id: string) => rows.get(id) ?? null),
    insert: jest.fn(async (p: ProjectEntity) => (rows.has(p.id) ? null : (rows.set(p.id, row(p.id, p)), rows.get(p.id)!))),
    update: jest.fn(async (id: string, patch: Partial<ProjectEntity>) => (rows.has(id) ? (rows.set(id, { ...rows.get(id)!, ...patch }), rows.get(id)!) : null)),
    remove: jest.fn(async (id: string, refuse: (d: Record<string, number>) => string | undefined) => {
      if (!rows.has(id)) return { outcome: 'missing' };
      const reason = refuse(data);
      if (reason) return { outcome: 'refused', reason };
      rows.delete(id);
      return { outcome: 'deleted', rows: { ...data, api_keys: 1 } };
    }),
  };
  const lifecycle = new ProjectLifecycle();
  const unloaded: string[] = [];
  lifecycle.onDeleted('test', (id) => void unloaded.push(id));
  const service = new ProjectsService(repo as unknown as ProjectsRepository, lifecycle, { apiKeys: [{ key: 'k', role: 'admin', owner: 'o', project: 'blog' }] } as unknown as AppConfig);
  return { service, repo, rows, unloaded, lifecycle };
}

const by = { role: 'platform', ownerId: 'ops', keyId: 'k1' };

describe('ProjectsService', () => {
  it('creates the projects API_KEYS names, once', async () => {
    const { service, rows } = setup();
    await service.onApplicationBootstrap();
    await service.onApplicationBootstrap();
    expect([...rows.keys()].sort()).toEqual(['blog', 'default', 'shop']);
  });

  it('caches lookups, and sees its own changes at once', async () => {
    const { service, repo } = setup();
    expect(await service.quotas('shop')).toEqual({ requestsPerMinute: 60 });
    expect(await service.exists('shop')).toBe(true);
    expect(repo.get).toHaveBeenCalledTimes(1);
    await service.update('shop', { quotas: { requestsPerMinute: null, generatedTokensPerDay: 100 } });
    expect(await service.quotas('shop')).toEqual({ generatedTokensPerDay: 100 });
    expect(await service.exists('Not A Slug')).toBe(false);
    expect(await service.exists('nowhere')).toBe(false);
  });

  it('refuses to delete a project with data unless forced, and never default', async () => {
    const { service, unloaded } = setup({ nlu_examples: 3 });
    await expect(service.delete('default', { by })).rejects.toBeInstanceOf(ConflictError);
    await expect(service.delete('shop', { by })).rejects.toThrow(/still has data \(3 in nlu_examples\).*force=true/);
    expect(unloaded).toEqual([]);
    await expect(service.delete('shop', { force: true, by })).resolves.toEqual({ id: 'shop', deleted: { nlu_examples: 3, api_keys: 1 } });
    expect(unloaded).toEqual(['shop']);
    expect(await service.exists('shop')).toBe(false);
    await expect(service.delete('shop', { force: true, by })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes an empty project without force; a failing hook does not undo it', async () => {
    const { service, lifecycle, rows, unloaded } = setup();
    lifecycle.onDeleted('broken', () => {
      throw new Error('disk gone');
    });
    await expect(service.create({ id: 'shop' })).rejects.toBeInstanceOf(ConflictError);
    await expect(service.create({ id: 'Bad Id' })).rejects.toThrow(/slug/);
    await service.create({ id: 'tmp', name: 'Temp' });
    await expect(service.delete('tmp', { by })).resolves.toMatchObject({ id: 'tmp' });
    expect(rows.has('tmp')).toBe(false);
    expect(unloaded).toEqual(['tmp']);
  });
});
