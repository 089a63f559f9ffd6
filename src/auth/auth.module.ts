import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { RedisConnection } from '../cluster/redis-connection';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { RateLimitGuard } from './rate-limit.guard';
import { SharedThrottlerStorage } from './shared-throttler-storage';

/**
 * API keys, roles and rate limits. The guards run on every route, authentication first.
 * With REDIS_URL the rate-limit counters live in Redis, shared by the replicas (docs/scaling.md).
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKeyEntity]),
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisConnection],
      useFactory: (config: AppConfig, redis: RedisConnection) => ({
        throttlers: [{ ttl: config.rateLimitTtlMs, limit: config.rateLimitMax || Number.MAX_SAFE_INTEGER }],
        skipIf: () => config.rateLimitMax === 0,
        ...(redis.client ? { storage: new SharedThrottlerStorage(new ThrottlerStorageRedisService(redis.client)) } : {}),
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [ApiKeyRepository, ApiKeysService, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [ApiKeysService],
})
export class AuthModule {}
