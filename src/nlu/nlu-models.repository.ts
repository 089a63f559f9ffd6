import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NluModelEntity } from './nlu.entities';

export interface StoredModel {
  version: number;
  labels: string[];
  threshold: number;
  config: Record<string, unknown>;
  onnx: Uint8Array;
  tagger: string | null;
}

/** Trained NLU model versions: metrics, artifacts (ONNX bytes, tagger JSON), which one is active. */
@Injectable()
export class NluModelsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(NluModelEntity);
  }

  async startTraining(examples: number): Promise<number> {
    const row = await this.repo.save(this.repo.create({ status: 'training', examples, progress: { phase: 'queued' } }));
    return row.version;
  }

  async progress(version: number, progress: Record<string, unknown>): Promise<void> {
    await this.ds.query(`UPDATE nlu_models SET progress = $2::jsonb WHERE version = $1`, [version, JSON.stringify(progress)]);
  }

  /** Stores a finished run's artifacts; the version becomes `ready` when `activate` serves it. */
  async saveArtifacts(version: number, m: { labels: string[]; threshold: number; config: Record<string, unknown>; metrics: Record<string, unknown>; onnx: Uint8Array; tagger: string | null }): Promise<void> {
    await this.ds.query(
      `UPDATE nlu_models SET labels = $2::jsonb, threshold = $3, config = $4::jsonb, metrics = $5::jsonb, onnx = $6, tagger = $7, finished_at = now(), progress = '{"phase":"activating"}'::jsonb WHERE version = $1`,
      [version, JSON.stringify(m.labels), m.threshold, JSON.stringify(m.config), JSON.stringify(m.metrics), Buffer.from(m.onnx.buffer, m.onnx.byteOffset, m.onnx.byteLength), m.tagger],
    );
  }

  async fail(version: number, error: string): Promise<void> {
    await this.repo.update({ version }, { status: 'failed', error, finishedAt: new Date() });
  }

  /** Makes `version` the active one (exactly one active, enforced by a unique partial index); a just-trained version becomes ready at the same moment. */
  async activate(version: number): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`UPDATE nlu_models SET active = false WHERE active AND version <> $1`, [version]);
      await m.query(`UPDATE nlu_models SET active = true, status = 'ready', progress = '{"phase":"done"}'::jsonb WHERE version = $1`, [version]);
    });
  }

  list(): Promise<NluModelEntity[]> {
    return this.repo.find({ order: { version: 'DESC' } });
  }

  get(version: number): Promise<NluModelEntity | null> {
    return this.repo.findOneBy({ version });
  }

  /** Marks runs that were training when the process stopped as failed. */
  async failInterrupted(): Promise<number> {
    const res = await this.repo.update({ status: 'training' }, { status: 'failed', error: 'interrupted: the server stopped during training', finishedAt: new Date() });
    return res.affected ?? 0;
  }

  /** Artifacts of a ready version (or of one whose training just stored them, `justTrained`). */
  async loadArtifacts(version: number, justTrained = false): Promise<StoredModel | null> {
    const row = await this.repo
      .createQueryBuilder('m')
      .addSelect('m.onnx')
      .addSelect('m.tagger')
      .where('m.version = :version AND m.status IN (:...statuses)', { version, statuses: justTrained ? ['ready', 'training'] : ['ready'] })
      .getOne();
    if (!row || !row.onnx) return null;
    return { version: row.version, labels: row.labels, threshold: row.threshold ?? 0, config: row.config ?? {}, onnx: new Uint8Array(row.onnx), tagger: row.tagger };
  }

  async activeVersion(): Promise<number | null> {
    const row = await this.repo.findOne({ where: { active: true }, select: { version: true } });
    return row?.version ?? null;
  }
}
