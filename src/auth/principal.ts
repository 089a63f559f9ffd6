import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export type Role = 'admin' | 'user';

/** Who is calling. `ownerId` scopes every piece of user data in later modules. */
export interface Principal {
  role: Role;
  ownerId: string;
  /** stable id of the key used (hash prefix or table id); undefined when no key is configured */
  keyId?: string;
  /** true when the server runs without keys (keyless mode): nobody presented a key */
  anonymous: boolean;
}

export type RequestWithPrincipal = { principal?: Principal; ip?: string; socket: { remoteAddress?: string }; headers: Record<string, unknown> };

export const PUBLIC_ROUTE = 'llmos:public';
export const ADMIN_ROUTE = 'llmos:admin';

/** No API key needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only admin keys (training, model load/unload, deletes). */
export const AdminOnly = () => SetMetadata(ADMIN_ROUTE, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  return req.principal ?? { role: 'user', ownerId: 'anonymous', anonymous: true };
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
