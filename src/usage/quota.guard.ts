import { CanActivate, ExecutionContext, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PLATFORM_ROUTE, PUBLIC_ROUTE, RequestWithPrincipal } from '../auth/principal';
import { QuotaService } from './quota.service';

const SKIP_REQUEST_QUOTA = 'llmos:skip-request-quota';

/** Not limited by requestsPerMinute (still counted): reading the meter must work when the quota is used up. */
export const SkipRequestQuota = () => SetMetadata(SKIP_REQUEST_QUOTA, true);

/**
 * A project's requestsPerMinute, on every routed request of the project. Registered after
 * AuthModule's guards (UsageModule is imported after AuthModule), so the project is known.
 * Public routes (health, metrics) and platform routes (managing projects, e.g. raising this
 * quota) are not a project's traffic and are not limited.
 */
@Injectable()
export class QuotaGuard implements CanActivate {
  private readonly logger = new Logger('Usage');
  private warned = false;

  constructor(
    private readonly reflector: Reflector,
    private readonly quotas: QuotaService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if ([PUBLIC_ROUTE, PLATFORM_ROUTE, SKIP_REQUEST_QUOTA].some((key) => this.reflector.getAllAndOverride<boolean>(key, targets))) return true;
    const principal = context.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    if (!principal) {
      if (!this.warned) this.logger.error('QuotaGuard ran before AuthGuard (no principal): import UsageModule after AuthModule; requestsPerMinute is not enforced');
      this.warned = true;
      return true;
    }
    await this.quotas.admitRequest(principal.projectId);
    return true;
  }
}
