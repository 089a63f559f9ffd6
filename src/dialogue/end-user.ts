import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { RequestWithPrincipal } from '../auth/principal';
import { BadInputError } from '../common/errors';

/** The header naming the end user a dialogue request speaks for (one app key serves many users). */
export const END_USER_HEADER = 'x-llmos-user';

/** The end user: X-LLMOS-User, else the calling key's owner. Sessions are theirs alone. */
export const EndUser = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  const header = req.headers[END_USER_HEADER];
  if (header === undefined) return req.principal?.ownerId ?? 'anonymous';
  const value = Array.isArray(header) ? header[0] : String(header);
  if (!value.trim() || value.length > 200) throw new BadInputError(`${END_USER_HEADER} must be 1 to 200 characters`, { field: END_USER_HEADER });
  return value;
});
