import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

/**
 * platform: manages projects and keys across projects and may act in any project (header
 * X-LLMOS-Project); admin: manages its own project (training, data, deletes, its keys);
 * user: calls its project's APIs.
 */
export type Role = 'platform' | 'admin' | 'user';
export const ROLES: readonly Role[] = ['platform', 'admin', 'user'];

/** The header a platform key (or a keyless local caller) names the project it acts in with. */
export const PROJECT_HEADER = 'x-llmos-project';
export const DEFAULT_PROJECT = 'default';

/** Who is calling, and in which project. `ownerId` scopes per-user data within the project. */
export interface Principal {
  role: Role;
  ownerId: string;
  /** the project this request acts in: the key's own, or the header's for a platform key */
  projectId: string;
  /** the project the key belongs to (a platform key's home project is `default`) */
  keyProjectId: string;
  /** stable id of the key used (hash prefix or table id); undefined when no key is configured */
  keyId?: string;
  /** true when the server runs without keys (keyless mode): nobody presented a key */
  anonymous: boolean;
}

export type RequestWithPrincipal = { principal?: Principal; ip?: string; socket: { remoteAddress?: string }; headers: Record<string, unknown> };

export const PUBLIC_ROUTE = 'llmos:public';
export const ADMIN_ROUTE = 'llmos:admin';
export const PLATFORM_ROUTE = 'llmos:platform';

/** No API key needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only admin keys of the project, or platform keys (training, model load/unload, deletes). */
export const AdminOnly = () => SetMetadata(ADMIN_ROUTE, true);

/** Only platform keys (projects, keys of other projects). */
export const PlatformOnly = () => SetMetadata(PLATFORM_ROUTE, true);

export const isAdministrator = (p: Pick<Principal, 'role'>) => p.role === 'platform' || p.role === 'admin';

const ANONYMOUS: Principal = { role: 'user', ownerId: 'anonymous', projectId: DEFAULT_PROJECT, keyProjectId: DEFAULT_PROJECT, anonymous: true };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  return req.principal ?? ANONYMOUS;
});

/** The id of the project the request acts in (resolved by the AuthGuard). */
export const CurrentProject = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  return req.principal?.projectId ?? DEFAULT_PROJECT;
});

/** Headers a reverse proxy adds: their presence means the socket's peer is not the caller. */
export const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto'] as const;

/**
 * A caller on this machine: a loopback socket and no forwarding header. A reverse proxy
 * on the same host connects from loopback too, on behalf of anyone, so any forwarding
 * header makes the request remote (however it was spelled).
 */
export function isLocalCaller(req: { socket: { remoteAddress?: string }; headers: Record<string, unknown> }): boolean {
  return isLoopback(req.socket.remoteAddress) && FORWARDING_HEADERS.every((h) => req.headers[h] === undefined);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
