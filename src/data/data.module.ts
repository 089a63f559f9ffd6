import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions, runMigrationsExclusively } from './data-source';

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
      // migrations after connecting, one replica at a time (runMigrationsExclusively)
      dataSourceFactory: async (options) => {
        const ds = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        try {
          if (options!.migrationsRun) await runMigrationsExclusively(ds, 'url' in options! && options.url ? 'postgres' : 'pglite');
        } catch (err) {
          await ds.destroy().catch(() => undefined);
          throw err;
        }
        return ds;
      },
    }),
  ],
})
export class DataModule {}
