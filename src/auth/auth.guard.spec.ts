import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BadInputError, ForbiddenError, NotFoundError, UnauthorizedError } from '../common/errors';
import { ProjectsService } from '../projects/projects.service';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { ADMIN_ROUTE, isLoopback, PLATFORM_ROUTE, Principal } from './principal';

function context(remoteAddress: string, headers: Record<string, string> = {}, admin: boolean | 'platform' = false) {
  const req: Record<string, unknown> = { socket: { remoteAddress }, headers, header: (n: string) => headers[n.toLowerCase()] };
  const handler = () => undefined;
  if (admin) Reflect.defineMetadata(admin === 'platform' ? PLATFORM_ROUTE : ADMIN_ROUTE, true, handler);
  const ctx = { getHandler: () => handler, getClass: () => class {}, switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { ctx, req };
}

function guard(configured: boolean, principal?: Principal) {
  const keys = { keysConfigured: async () => configured, authenticate: async () => principal } as unknown as ApiKeysService;
  const projects = { exists: async (id: string) => id === 'default' || id === 'shop' || id === 'blog' } as unknown as ProjectsService;
  return new AuthGuard(new Reflector(), keys, projects);
}

describe('AuthGuard', () => {
  it('without keys, refuses admin routes to non-loopback callers', async () => {
    const { ctx } = context('203.0.113.9', {}, true);
    await expect(guard(false).canActivate(ctx)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('without keys, serves admin routes to loopback and user routes to anyone', async () => {
    await expect(guard(false).canActivate(context('::ffff:127.0.0.1', {}, true).ctx)).resolves.toBe(true);
    const { ctx, req } = context('203.0.113.9');
    await expect(guard(false).canActivate(ctx)).resolves.toBe(true);
    expect(req.principal).toEqual({ role: 'user', ownerId: 'local', projectId: 'default', keyProjectId: 'default', anonymous: true });
  });

  it('without keys, a loopback request carrying proxy headers is not local', async () => {
    for (const [name, value] of [['x-forwarded-for', '203.0.113.7'], ['forwarded', 'for=203.0.113.7'], ['x-real-ip', '203.0.113.7'], ['x-forwarded-host', 'example.com']]) {
      const { ctx, req } = context('127.0.0.1', { [name]: value }, true);
      await expect(guard(false).canActivate(ctx)).rejects.toBeInstanceOf(ForbiddenError);
      expect(req.principal).toMatchObject({ role: 'user', ownerId: 'local', anonymous: true });
    }
    // an empty header value still came from a proxy
    await expect(guard(false).canActivate(context('::1', { 'x-forwarded-for': '' }, true).ctx)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('with keys, needs a valid bearer and an admin key on admin routes', async () => {
    await expect(guard(true).canActivate(context('127.0.0.1').ctx)).rejects.toBeInstanceOf(UnauthorizedError);
    const user: Principal = { role: 'user', ownerId: 'alice', keyId: 'k', projectId: 'shop', keyProjectId: 'shop', anonymous: false };
    await expect(guard(true, user).canActivate(context('127.0.0.1', { authorization: 'Bearer abcdefgh' }, true).ctx)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(guard(true, user).canActivate(context('127.0.0.1', { authorization: 'Bearer abcdefgh' }).ctx)).resolves.toBe(true);
    await expect(guard(true, undefined).canActivate(context('127.0.0.1', { authorization: 'Bearer wrong' }).ctx)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('resolves the project: the key\'s own; another one named in the header is a 404 unless the key is a platform key', async () => {
    const bearerTo = (project?: string, admin: boolean | 'platform' = false) => context('203.0.113.9', { authorization: 'Bearer abcdefgh', ...(project ? { 'x-llmos-project': project } : {}) }, admin);
    const admin: Principal = { role: 'admin', ownerId: 'shop-team', keyId: 'a', projectId: 'shop', keyProjectId: 'shop', anonymous: false };
    const platform: Principal = { role: 'platform', ownerId: 'ops', keyId: 'p', projectId: 'default', keyProjectId: 'default', anonymous: false };
    let c = bearerTo();
    await guard(true, admin).canActivate(c.ctx);
    expect(c.req.principal).toMatchObject({ projectId: 'shop' });
    c = bearerTo('shop');
    await guard(true, admin).canActivate(c.ctx);
    expect(c.req.principal).toMatchObject({ projectId: 'shop' });
    // another project, existing or not: the same 404
    await expect(guard(true, admin).canActivate(bearerTo('blog').ctx)).rejects.toBeInstanceOf(NotFoundError);
    await expect(guard(true, admin).canActivate(bearerTo('nope').ctx)).rejects.toBeInstanceOf(NotFoundError);
    c = bearerTo('blog');
    await guard(true, platform).canActivate(c.ctx);
    expect(c.req.principal).toMatchObject({ projectId: 'blog', keyProjectId: 'default' });
    await expect(guard(true, platform).canActivate(bearerTo('nope').ctx)).rejects.toBeInstanceOf(NotFoundError);
    await expect(guard(true, platform).canActivate(bearerTo('Not A Slug').ctx)).rejects.toBeInstanceOf(BadInputError);
    // platform routes: platform keys only; admin routes: admins and platform keys
    await expect(guard(true, admin).canActivate(bearerTo(undefined, 'platform').ctx)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(guard(true, platform).canActivate(bearerTo(undefined, 'platform').ctx)).resolves.toBe(true);
    await expect(guard(true, platform).canActivate(bearerTo('shop', true).ctx)).resolves.toBe(true);
  });

  it('without keys, local callers act as platform in default or the project the header names', async () => {
    const c = context('127.0.0.1', { 'x-llmos-project': 'blog' }, 'platform');
    await guard(false).canActivate(c.ctx);
    expect(c.req.principal).toMatchObject({ role: 'platform', projectId: 'blog' });
    await expect(guard(false).canActivate(context('127.0.0.1', { 'x-llmos-project': 'nope' }).ctx)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('recognises loopback addresses', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '::ffff:10.0.0.1', undefined].some(isLoopback)).toBe(false);
  });
});
