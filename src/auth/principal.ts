import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export type Role = 'admin' | 'user';

/** Who is calling. `ownerId` scopes every piece of user data in later modules. */
export interface Principal {
  role: Role;
  ownerId: string;
  /** stable id of the key used (hash prefix or table id); undefined when no key is configured */
  keyId?: string;
  /** true when the server runs without keys and the caller is on loopback */
  anonymous: boolean;
}

export type RequestWithPrincipal = { principal?: Principal; ip?: string; socket: { remoteAddress?: string } };

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

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
