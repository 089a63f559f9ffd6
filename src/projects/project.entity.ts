import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Limits a project's callers share (null or absent: unlimited). */
export interface ProjectQuotas {
  /** requests per minute, all routes of the project together */
  requestsPerMinute?: number | null;
  /** tokens generated per UTC day (completions, chat, /api/v1/generate) */
  generatedTokensPerDay?: number | null;
}

/** One application's scope (migrations/1764633600000-projects.ts): every module's data carries its id. */
@Entity('projects')
export class ProjectEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) settings!: Record<string, unknown>;
  @Column({ type: 'jsonb', default: () => "'{}'" }) quotas!: ProjectQuotas;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
