import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of this process. One per application instance (not the
 * prom-client global), so several apps in one test process do not collide. Modules
 * register their own metrics on `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'llmos_' });
    this.httpDuration = new Histogram({
      name: 'llmos_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
  }

  /** Express middleware timing every request; the route label is the matched pattern, never the raw URL. */
  readonly httpMiddleware = (req: Request, res: Response, next: NextFunction): void => {
    const end = this.httpDuration.startTimer();
    res.once('finish', () => {
      // Nest answers unknown routes from a catch-all route; label those as unmatched.
      const path = req.route?.path as string | undefined;
      const route = path && path !== '/{*path}' ? `${req.baseUrl}${path}` : '(unmatched)';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
