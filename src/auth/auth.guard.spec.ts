import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { ADMIN_ROUTE, isLoopback, Principal } from './principal';

function context(remoteAddress: string, headers: Record<string, string> = {}, admin = false) {
  const req: Record<string, unknown> = { socket: { remoteAddress }, headers, header: (n: string) => headers[n.toLowerCase()] };
  const handler = () => undefined;
  if (admin) Reflect.defineMetadata(ADMIN_ROUTE, true, handler);
  const ctx = { getHandler: () => handler, getClass: () => class {}, switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { ctx, req };
}

function guard(configured: boolean, principal?: Principal) {
  const keys = { keysConfigured: async () => configured, authenticate: async () => principal } as unknown as ApiKeysService;
  return new AuthGuard(new Reflector(), keys);
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
    expect(req.principal).toEqual({ role: 'user', ownerId: 'local', anonymous: true });
  });

  it('without keys, a loopback request carrying proxy headers is not local', async () => {
    for (const [name, value] of [['x-forwarded-for', '203.0.113.7'], ['forwarded', 'for=203.0.113.7'], ['x-real-ip', '203.0.113.7'], ['x-forwarded-host', 'example.com']]) {
      const { ctx, req } = context('127.0.0.1', { [name]: value }, true);
      await expect(guard(false).canActivate(ctx)).rejects.toBeInstanceOf(ForbiddenError);
      expect(req.principal).toEqual({ role: 'user', ownerId: 'local', anonymous: true });
    }
    // an empty header value still came from a proxy
    await expect(guard(false).canActivate(context('::1', { 'x-forwarded-for': '' }, true).ctx)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('with keys, needs a valid bearer and an admin key on admin routes', async () => {
    await expect(guard(true).canActivate(context('127.0.0.1').ctx)).rejects.toBeInstanceOf(UnauthorizedError);
    const user: Principal = { role: 'user', ownerId: 'alice', keyId: 'k', anonymous: false };
    await expect(guard(true, user).canActivate(context('127.0.0.1', { authorization: 'Bearer abcdefgh' }, true).ctx)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(guard(true, user).canActivate(context('127.0.0.1', { authorization: 'Bearer abcdefgh' }).ctx)).resolves.toBe(true);
    await expect(guard(true, undefined).canActivate(context('127.0.0.1', { authorization: 'Bearer wrong' }).ctx)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('recognises loopback addresses', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '::ffff:10.0.0.1', undefined].some(isLoopback)).toBe(false);
  });
});
