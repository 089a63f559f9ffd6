import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { ApiKeysService } from './api-keys.service';
import { ADMIN_ROUTE, isLocalCaller, PUBLIC_ROUTE, RequestWithPrincipal } from './principal';

/**
 * Bearer API keys. With keys configured, every non-public route needs one and admin
 * routes need an admin key. Without keys, callers are anonymous and admin routes are
 * only served to local callers: loopback sockets whose request carries no forwarding
 * header (a proxy on this host would otherwise lend every client its loopback address).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ROUTE, targets) ?? false;
    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const token = bearer(req.header('authorization'));

    if (!(await this.keys.keysConfigured())) {
      const local = isLocalCaller(req);
      req.principal = { role: local ? 'admin' : 'user', ownerId: 'local', anonymous: true };
      if (adminOnly && !local) {
        throw new ForbiddenError('Admin routes are only served to local callers (loopback, without proxy headers such as X-Forwarded-For) while no API key is configured; set API_KEYS or create a key with `npm run keys -- create --role admin`');
      }
      return true;
    }
    if (!token) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
    const principal = await this.keys.authenticate(token);
    if (!principal) throw new UnauthorizedError('Invalid or revoked API key');
    req.principal = principal;
    if (adminOnly && principal.role !== 'admin') throw new ForbiddenError('This route needs an admin API key');
    return true;
  }
}

function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}
