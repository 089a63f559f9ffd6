import { Injectable, Logger } from '@nestjs/common';
import { GenerationService } from '../generation/generation.service';
import { collectChoice } from '../generation/results';
import { buildAnswerPrompt, citedSources } from './answer/prompt';
import { SearchHit, SearchService } from './search.service';

export interface AnswerQuery {
  question: string;
  k?: number;
  filter?: Record<string, unknown>;
  /** a text-generation model; default: GENERATION_DEFAULT_MODEL or the first loaded one */
  model?: string;
  maxTokens?: number;
}

export interface AnswerSource {
  n: number;
  documentId: string;
  text: string;
  start: number;
  end: number;
  metadata: Record<string, unknown>;
  score: number;
}

export interface AnswerResponse {
  mode: 'generative' | 'extractive';
  answer: string;
  model: string | null;
  /** the source numbers the answer cites ([n]); extractive answers cite the best passage */
  citations: number[];
  sources: AnswerSource[];
}

const DEFAULT_SOURCES = 4;

/**
 * Retrieval-augmented answers: the question's best chunks (hybrid search) become numbered
 * sources of a prompt asking for an answer that cites them. Without a text-generation model
 * the best passages are the answer, mode "extractive".
 */
@Injectable()
export class AnswerService {
  private readonly logger = new Logger('SearchAnswer');

  constructor(
    private readonly search: SearchService,
    private readonly generation: GenerationService,
  ) {}

  async answer(project: string, name: string, q: AnswerQuery): Promise<AnswerResponse> {
    const found = await this.search.search(project, name, { query: q.question, k: q.k ?? DEFAULT_SOURCES, mode: 'hybrid', filter: q.filter });
    const sources = found.results.map((h, i) => source(h, i + 1));
    if (this.generation.models().length === 0 && !q.model) {
      return { mode: 'extractive', answer: sources[0]?.text ?? '', model: null, citations: sources.length ? [1] : [], sources };
    }
    if (!sources.length) return { mode: 'generative', answer: '', model: null, citations: [], sources };
    // a prompt over the model's context drops the weakest sources first, then shortens the best one
    const attempts = [...sources.map((_, i) => sources.slice(0, sources.length - i)), ...[2, 4, 8].map((d) => [{ ...sources[0], text: sources[0].text.slice(0, Math.max(1, Math.floor(sources[0].text.length / d))) }])];
    for (const [i, used] of attempts.entries()) {
      try {
        const prepared = await this.generation.start({
          model: q.model,
          messages: buildAnswerPrompt(q.question, used),
          // without maxTokens: what room the sources leave, up to GENERATION_DEFAULT_MAX_TOKENS
          options: { max_tokens: q.maxTokens, temperature: 0 },
          projectId: project,
        });
        const choice = await collectChoice(0, prepared.streams[0]);
        const answer = choice.text.trim();
        return { mode: 'generative', answer, model: prepared.model, citations: citedSources(answer, used.length), sources: used };
      } catch (err) {
        if (i === attempts.length - 1 || !/context/i.test((err as Error).message)) throw err;
        this.logger.debug(`Answer prompt with ${used.length} source(s) does not fit: ${(err as Error).message}`);
      }
    }
    throw new Error('unreachable');
  }
}

function source(h: SearchHit, n: number): AnswerSource {
  return { n, documentId: h.documentId, text: h.text, start: h.start, end: h.end, metadata: h.metadata, score: h.score };
}
