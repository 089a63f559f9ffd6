import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { DEFAULT_PROJECT, PUBLIC_ROUTE, RequestWithPrincipal } from '../auth/principal';
import { requestMetric, requestModule } from './core/usage-metrics';
import { UsageService } from './usage.service';

type RoutedRequest = RequestWithPrincipal & { route?: { path?: string }; path: string };

/**
 * Counts `requests.<module>` once per routed request that passed the guards (so not 401,
 * 403 or 429 answers), before the handler runs: its success or failure does not change it.
 * Public routes (health, metrics) are not counted.
 */
@Injectable()
export class UsageInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly usage: UsageService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http' && !this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) {
      const req = context.switchToHttp().getRequest<RoutedRequest>();
      this.usage.add(req.principal?.projectId ?? DEFAULT_PROJECT, requestMetric(requestModule(req.route?.path ?? req.path)));
    }
    return next.handle();
  }
}
