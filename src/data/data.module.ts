import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source';

/**
 * The TypeORM DataSource: embedded PGlite by default, PostgreSQL with DATABASE_URL.
 * Feature modules register their entities with `TypeOrmModule.forFeature` and keep
 * their tables to themselves.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => ({
        ...(await buildDataSourceOptions(config)),
        autoLoadEntities: true,
        retryAttempts: config.databaseUrl ? 3 : 0,
        retryDelay: 1000,
      }),
    }),
  ],
})
export class DataModule {}
