import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { DEFAULT_PROJECT, PUBLIC_ROUTE, RequestWithPrincipal } from '../auth/principal';
import { requestMetric, requestModule } from './core/usage-metrics';
import { SkipRequestQuota } from './quota.guard';
import { UsageService } from './usage.service';

const UNMETERED = 'llmos:unmetered';

/** Operations endpoints (the Prometheus scrape): neither counted as usage nor held to the request quota. */
export const Unmetered = () => applyDecorators(SetMetadata(UNMETERED, true), SkipRequestQuota());

type RoutedRequest = RequestWithPrincipal & { route?: { path?: string }; path: string };

/**
 * Counts `requests.<module>` once per routed request that passed the guards (so not 401,
 * 403 or 429 answers), before the handler runs: its success or failure does not change it.
 * Public routes (health, docs) and @Unmetered ones (metrics) are not counted.
 */
@Injectable()
export class UsageInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly usage: UsageService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const targets = [context.getHandler(), context.getClass()];
    if (context.getType() === 'http' && ![PUBLIC_ROUTE, UNMETERED].some((key) => this.reflector.getAllAndOverride<boolean>(key, targets))) {
      const req = context.switchToHttp().getRequest<RoutedRequest>();
      this.usage.add(req.principal?.projectId ?? DEFAULT_PROJECT, requestMetric(requestModule(req.route?.path ?? req.path)));
    }
    return next.handle();
  }
}
