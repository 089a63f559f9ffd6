import { Global, Module } from '@nestjs/common';
import { ClusterEvents } from './cluster-events.service';
import { RedisConnection } from './redis-connection';

/** What replicas share beyond the tables: notifications between them (PostgreSQL) and the Redis of counters (docs/scaling.md). */
@Global()
@Module({
  providers: [ClusterEvents, RedisConnection],
  exports: [ClusterEvents, RedisConnection],
})
export class ClusterModule {}
