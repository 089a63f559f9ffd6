import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { InferencePool, ModelStatus } from './inference-pool.service';
import { ModelDetailDto, ModelListDto } from './models.dto';

const CONFIG_SUMMARY_KEYS = ['model_type', 'architectures', 'vocab_size', 'hidden_size', 'n_embd', 'num_hidden_layers', 'n_layer', 'num_attention_heads', 'n_head', 'num_key_value_heads', 'max_position_embeddings', 'n_positions', 'torch_dtype'];

/** What the models endpoints show of the pool. */
@Injectable()
export class ModelsService {
  constructor(private readonly pool: InferencePool) {}

  list(): ModelListDto {
    this.pool.rescan();
    return { models: this.pool.list(), invalid: this.pool.storeProblems };
  }

  detail(id: string): ModelDetailDto {
    this.ensureKnown(id);
    const d = this.pool.descriptor(id);
    const config = d.config ? Object.fromEntries(CONFIG_SUMMARY_KEYS.filter((k) => k in d.config!).map((k) => [k, d.config![k]])) : undefined;
    return { ...this.pool.status(id), files: d.files, config };
  }

  load(id: string): Promise<ModelStatus> {
    this.ensureKnown(id);
    return this.pool.load(id);
  }

  unload(id: string): Promise<ModelStatus> {
    this.ensureKnown(id);
    return this.pool.unload(id);
  }

  private ensureKnown(id: string): void {
    if (this.pool.has(id)) return;
    this.pool.rescan();
    if (this.pool.has(id)) return;
    const problem = this.pool.storeProblems.find((p) => p.id === id);
    if (problem) throw new NotFoundError(`Model ${id} is in the store but invalid: ${problem.message} (${problem.file})`, problem);
    throw new NotFoundError(`No model named ${id}; GET /api/v1/models lists the installed models`);
  }
}
