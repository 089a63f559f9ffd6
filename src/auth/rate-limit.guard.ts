import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { RequestWithPrincipal } from './principal';

/** Rate limits per API key, or per client address when the caller has no key. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as RequestWithPrincipal;
    return r.principal?.keyId ? `key:${r.principal.keyId}` : `ip:${r.ip ?? r.socket.remoteAddress ?? 'unknown'}`;
  }
}
