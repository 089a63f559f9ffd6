import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { databaseKind } from '../data/data-source';
import { withDefaults } from './entities/entity-settings';
import { NluDataRepository } from './nlu-data.repository';
import { NluModelsRepository, StoredModel } from './nlu-models.repository';
import { NluSettingsRepository } from './nlu-settings.repository';
import type { EntitySource } from './nlu.service';
import { ArtifactCache, ArtifactUnavailableError } from './runtime/artifact-cache';
import { artifactRoot, INTENT_ONNX_FILE, TAGGER_FILE } from './runtime/artifact-files';

/**
 * What serving a project's NLU needs from outside: which version is active, that
 * version's artifacts as verified local files (through the ArtifactCache:
 * docs/decisions/0008-nlu-artifacts.md) and the project's entity resources and settings.
 * NluService loads a project lazily through it; NluTrainingService activates through it.
 */
@Injectable()
export class NluModelSource {
  readonly artifacts: ArtifactCache;

  constructor(
    private readonly data: NluDataRepository,
    private readonly models: NluModelsRepository,
    private readonly settings: NluSettingsRepository,
    config: AppConfig,
  ) {
    this.artifacts = new ArtifactCache(artifactRoot(config.dataDir), models, databaseKind(config) === 'postgres');
  }

  serving(project: string): Promise<{ active: number | null; training: boolean }> {
    return this.models.serving(project);
  }

  /** A version ready to serve: the pool's worker reads the ONNX file; only the tagger JSON is read here. */
  async model(project: string, version: number, justTrained = false): Promise<StoredModel> {
    const row = await this.models.get(project, version);
    if (!row) throw new NotFoundError(`No NLU model version ${version}`);
    if (row.status !== 'ready' && !(justTrained && row.status === 'training')) throw new ConflictError(`NLU model version ${version} is ${row.status} and cannot be activated`);
    let paths: Map<string, string>;
    try {
      paths = await this.artifacts.resolve(version);
    } catch (err) {
      if (err instanceof ArtifactUnavailableError) throw new ConflictError(err.message);
      throw err;
    }
    const onnx = paths.get(INTENT_ONNX_FILE);
    if (!onnx) throw new ConflictError(`NLU model version ${version} has no stored model and cannot be activated`);
    const taggerFile = paths.get(TAGGER_FILE);
    const tagger = taggerFile ? await readFile(taggerFile, 'utf8') : null;
    return { projectId: project, version, labels: row.labels, threshold: row.threshold ?? 0, config: row.config ?? {}, onnx, tagger };
  }

  /** The rule extractors' data: the small tables and the entity names the examples annotate (not the examples themselves). */
  async entities(project: string): Promise<EntitySource> {
    const [lookups, synonyms, regexes, annotated, settings] = await Promise.all([
      this.data.lookups(project),
      this.data.synonyms(project),
      this.data.regexes(project),
      this.data.annotatedEntityNames(project),
      this.settings.get(project),
    ]);
    return {
      annotated,
      lookups: lookups.map((l) => ({ name: l.name, elements: l.elements })),
      synonyms: synonyms.map((x) => ({ value: x.value, synonyms: x.synonyms })),
      regexes: regexes.flatMap((r) => r.patterns.map((pattern) => ({ name: r.name, pattern }))),
      settings: withDefaults(settings?.settings ?? {}),
    };
  }
}
