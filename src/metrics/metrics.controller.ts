import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiErrors } from '../common/api-errors.decorator';
import { Unmetered } from '../usage/usage.interceptor';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@ApiBearerAuth()
@SkipThrottle()
@Unmetered()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus metrics (text exposition format): HTTP durations, inference queues, process stats. Needs a key when keys are configured. */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' }, example: 'llmos_http_request_duration_seconds_count{method="GET",route="/health/live",status="200"} 3' } } })
  @ApiErrors(401)
  metricsText(): Promise<string> {
    return this.metrics.text();
  }
}
