import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { QuotaGuard } from './quota.guard';
import { QuotaService } from './quota.service';
import { UsageCountersRepository } from './usage-counters.repository';
import { UsageController } from './usage.controller';
import { UsageInterceptor } from './usage.interceptor';
import { UsageService } from './usage.service';

/**
 * Usage metering and quotas per project (docs/usage.md). Global: every module counts its
 * usage through UsageService. Import it after AuthModule: its guard needs the project.
 */
@Global()
@Module({
  controllers: [UsageController],
  providers: [UsageCountersRepository, UsageService, QuotaService, { provide: APP_GUARD, useClass: QuotaGuard }, { provide: APP_INTERCEPTOR, useClass: UsageInterceptor }],
  exports: [UsageService, QuotaService],
})
export class UsageModule {}
