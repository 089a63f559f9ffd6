import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/principal';
import { ApiErrorResponse } from '../common/api-errors.decorator';
import { UnavailableError } from '../common/errors';
import { databaseKind } from '../data/data-source';
import { AppConfig } from '../config/app-config';
import { ReadinessService } from './readiness.service';

const DB_TIMEOUT_MS = 3000;

const READY_EXAMPLE = {
  status: 'ok',
  info: { database: { status: 'up', kind: 'pglite' }, models: { status: 'up', required: ['tiny-bert'], loaded: ['tiny-bert'] } },
  error: {},
  details: { database: { status: 'up', kind: 'pglite' } },
};

/** `details` of a 503 while a required model is still loading. */
const NOT_READY_EXAMPLE = {
  status: 'error',
  info: { database: { status: 'up', kind: 'pglite' } },
  error: { models: { status: 'down', required: ['tiny-bert'], loaded: [], notReady: ['tiny-bert'] } },
  details: { database: { status: 'up', kind: 'pglite' }, models: { status: 'down', required: ['tiny-bert'], loaded: [], notReady: ['tiny-bert'] } },
};

@ApiTags('ops')
@SkipThrottle()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly readiness: ReadinessService,
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Liveness: the process answers. Never touches dependencies. */
  @Get('live')
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: string } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and every registered check (e.g. required models loaded) passes. */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ schema: { example: READY_EXAMPLE } })
  @ApiErrorResponse(503, { description: 'Not ready; details lists each check', message: 'Not ready: models', details: NOT_READY_EXAMPLE })
  async ready(): Promise<HealthCheckResult> {
    const checks = [() => this.database(), ...this.readiness.entries().map(([name, check]) => () => this.custom(name, check))];
    if (this.readiness.isDraining) checks.push(async () => this.indicator.check('shutdown').down({ message: 'draining for shutdown' }));
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (err instanceof ServiceUnavailableException) {
        const result = err.getResponse() as HealthCheckResult;
        throw new UnavailableError(`Not ready: ${Object.keys(result.error ?? {}).join(', ')}`, result);
      }
      throw err;
    }
  }

  private async database(): Promise<HealthIndicatorResult> {
    const ind = this.indicator.check('database');
    const kind = databaseKind(this.config);
    try {
      await Promise.race([this.db.query('SELECT 1'), new Promise((_, rej) => setTimeout(() => rej(new Error(`no answer in ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS).unref())]);
      return ind.up({ kind });
    } catch (err) {
      return ind.down({ kind, message: (err as Error).message });
    }
  }

  private async custom(name: string, check: () => Promise<{ ready: boolean; details?: Record<string, unknown> }>): Promise<HealthIndicatorResult> {
    const ind = this.indicator.check(name);
    try {
      const r = await check();
      return r.ready ? ind.up(r.details) : ind.down(r.details);
    } catch (err) {
      return ind.down({ message: (err as Error).message });
    }
  }
}
