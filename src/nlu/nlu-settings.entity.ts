import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { NluEntitySettingsInput } from './entities/entity-settings';

/** The store's NLU settings (migrations/1764547200000-nlu-settings.ts): what an operator set, defaults applied on read. */
@Entity('nlu_settings')
export class NluSettingsEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 64 }) projectId!: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) settings!: NluEntitySettingsInput;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
