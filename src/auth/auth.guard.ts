import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { BadInputError, ForbiddenError, NotFoundError, UnauthorizedError } from '../common/errors';
import { PROJECT_ID } from '../config/app-config';
import { ProjectsService } from '../projects/projects.service';
import { ApiKeysService } from './api-keys.service';
import { ADMIN_ROUTE, DEFAULT_PROJECT, isAdministrator, isLocalCaller, PLATFORM_ROUTE, Principal, PROJECT_HEADER, PUBLIC_ROUTE, RequestWithPrincipal } from './principal';

/**
 * Bearer API keys and the project of each request. With keys configured, every non-public
 * route needs one; admin routes need an admin key of the project (or a platform key),
 * platform routes a platform key. The project is the key's own; a platform key may name
 * another with X-LLMOS-Project. A key naming any other project gets the same 404 as a
 * project that does not exist. Without keys, callers are anonymous, act in `default` unless
 * the header names another project, and only local callers (loopback sockets without a
 * forwarding header: a proxy on this host would lend every client its address) may use
 * admin and platform routes.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly projects: ProjectsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const platformOnly = this.reflector.getAllAndOverride<boolean>(PLATFORM_ROUTE, targets) ?? false;
    const adminOnly = platformOnly || (this.reflector.getAllAndOverride<boolean>(ADMIN_ROUTE, targets) ?? false);
    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const header = projectHeader(req.header(PROJECT_HEADER));
    const token = bearer(req.header('authorization'));

    if (!(await this.keys.keysConfigured())) {
      const local = isLocalCaller(req);
      const principal: Principal = { role: local ? 'platform' : 'user', ownerId: 'local', projectId: header ?? DEFAULT_PROJECT, keyProjectId: DEFAULT_PROJECT, anonymous: true };
      req.principal = principal;
      if (adminOnly && !local) {
        throw new ForbiddenError('Admin routes are only served to local callers (loopback, without proxy headers such as X-Forwarded-For) while no API key is configured; set API_KEYS or create a key with `npm run keys -- create --role admin`');
      }
      await this.inExistingProject(principal);
      return true;
    }
    if (!token) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
    const key = await this.keys.authenticate(token);
    if (!key) throw new UnauthorizedError('Invalid or revoked API key');
    if (header && header !== key.keyProjectId && key.role !== 'platform') throw noProject(header);
    req.principal = await this.inExistingProject({ ...key, projectId: key.role === 'platform' ? (header ?? key.keyProjectId) : key.keyProjectId });
    if (platformOnly && key.role !== 'platform') throw new ForbiddenError('This route needs a platform API key');
    if (adminOnly && !isAdministrator(key)) throw new ForbiddenError('This route needs an admin API key of the project (or a platform key)');
    return true;
  }

  private async inExistingProject(p: Principal): Promise<Principal> {
    if (!(await this.projects.exists(p.projectId))) throw noProject(p.projectId);
    return p;
  }
}

const noProject = (id: string) => new NotFoundError(`No project ${id} for this key`);

function projectHeader(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!PROJECT_ID.test(value)) throw new BadInputError(`${PROJECT_HEADER} must be a project id: lowercase letters, digits and -, at most 64`, { field: PROJECT_HEADER });
  return value;
}

function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}
