import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import type { Principal } from '../auth/principal';
import { InferencePool, ModelStatus } from './inference-pool.service';
import { ModelDetailDto, ModelListDto } from './models.dto';

const CONFIG_SUMMARY_KEYS = ['model_type', 'architectures', 'vocab_size', 'hidden_size', 'n_embd', 'num_hidden_layers', 'n_layer', 'num_attention_heads', 'n_head', 'num_key_value_heads', 'max_position_embeddings', 'n_positions', 'torch_dtype'];

/** What the models endpoints show of the pool. */
@Injectable()
export class ModelsService {
  constructor(private readonly pool: InferencePool) {}

  /** The models the caller may see: the shared ones and its project's (a platform key: all). */
  list(p: Principal): ModelListDto {
    this.pool.rescan();
    return { models: this.pool.list().filter((m) => visibleTo(m.project, p)), invalid: this.pool.storeProblems };
  }

  detail(id: string, p: Principal): ModelDetailDto {
    this.ensureKnown(id, p);
    const d = this.pool.descriptor(id);
    const config = d.config ? Object.fromEntries(CONFIG_SUMMARY_KEYS.filter((k) => k in d.config!).map((k) => [k, d.config![k]])) : undefined;
    return { ...this.pool.status(id), files: d.files, config };
  }

  load(id: string, p: Principal): Promise<ModelStatus> {
    this.ensureKnown(id, p);
    return this.pool.load(id);
  }

  unload(id: string, p: Principal): Promise<ModelStatus> {
    this.ensureKnown(id, p);
    return this.pool.unload(id);
  }

  /** `id` when the caller may use that model; another project's model is a 404 like a missing one. */
  ensureKnown(id: string, p: Principal): string {
    if (this.pool.has(id) && !visibleTo(this.pool.descriptor(id).projectId, p)) throw unknown(id);
    if (this.pool.has(id)) return id;
    this.pool.rescan();
    if (this.pool.has(id)) return id;
    const problem = this.pool.storeProblems.find((q) => q.id === id);
    if (problem) throw new NotFoundError(`Model ${id} is in the store but invalid: ${problem.message} (${problem.file})`, problem);
    throw unknown(id);
  }
}

const unknown = (id: string) => new NotFoundError(`No model named ${id}; GET /api/v1/models lists the installed models`);

const visibleTo = (project: string | undefined, p: Principal) => project === undefined || p.role === 'platform' || project === p.projectId;
