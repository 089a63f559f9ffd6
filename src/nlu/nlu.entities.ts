import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { EntityAnnotation } from './core/types';

/** Every NLU row belongs to one project (migrations/1764633600000-projects.ts). */
@Entity('nlu_examples')
export class NluExampleEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'project_id', type: 'varchar', length: 64 }) projectId!: string;
  @Column({ type: 'varchar', length: 1000 }) text!: string;
  @Column({ type: 'varchar', length: 64 }) intent!: string;
  @Column({ type: 'jsonb', default: () => "'[]'" }) entities!: EntityAnnotation[];
  @Column({ type: 'varchar', length: 8, nullable: true }) lang!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('nlu_lookups')
export class NluLookupEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 64 }) projectId!: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'jsonb' }) elements!: string[];
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('nlu_synonyms')
export class NluSynonymEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 64 }) projectId!: string;
  @PrimaryColumn({ type: 'varchar', length: 200 }) value!: string;
  @Column({ type: 'jsonb' }) synonyms!: string[];
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('nlu_regexes')
export class NluRegexEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 64 }) projectId!: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'jsonb' }) patterns!: string[];
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('nlu_models')
export class NluModelEntity {
  @PrimaryGeneratedColumn() version!: number;
  @Column({ name: 'project_id', type: 'varchar', length: 64 }) projectId!: string;
  @Column({ type: 'varchar', length: 16 }) status!: 'training' | 'ready' | 'failed';
  @Column({ type: 'boolean', default: false }) active!: boolean;
  @Column({ type: 'integer', default: 0 }) examples!: number;
  @Column({ type: 'jsonb', default: () => "'[]'" }) labels!: string[];
  @Column({ type: 'real', nullable: true }) threshold!: number | null;
  /** featurizer settings and options the model was trained with */
  @Column({ type: 'jsonb', nullable: true }) config!: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) metrics!: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) progress!: Record<string, unknown> | null;
  /** the artifacts (ONNX, tagger) are in nlu_artifacts and files: docs/decisions/0008-nlu-artifacts.md */
  @Column({ type: 'text', nullable: true }) error!: string | null;
  /** why a finished run is not the active version (activate: false, or an explicit activation came after it started) */
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true }) activatedAt!: Date | null;
  @Column({ name: 'activated_by', type: 'varchar', length: 16, nullable: true }) activatedBy!: 'training' | 'user' | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
