import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { NluEntitySettingsInput } from './entities/entity-settings';
import { NluSettingsEntity } from './nlu-settings.entity';

/** The nlu_settings row of a project. */
@Injectable()
export class NluSettingsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(NluSettingsEntity);
  }

  async get(projectId: string): Promise<{ settings: NluEntitySettingsInput; updatedAt: Date } | null> {
    const row = await this.repo.findOneBy({ projectId });
    return row ? { settings: row.settings, updatedAt: row.updatedAt } : null;
  }

  async save(projectId: string, settings: NluEntitySettingsInput): Promise<Date> {
    await this.repo.upsert({ projectId, settings, updatedAt: new Date() }, ['projectId']);
    return (await this.get(projectId))!.updatedAt;
  }
}
