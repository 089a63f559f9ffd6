/**
 * Every setting LLM OS reads from the environment, in one table.
 *
 * The table drives three things: parsing and validation at start-up (a wrong value
 * stops the process naming the variable), the typed `AppConfig` object modules inject,
 * and the check that `.env.example` lists exactly these keys. Modules add their rows
 * here rather than reading `process.env` themselves.
 */

export type SettingKind = 'string' | 'int' | 'number' | 'bool' | 'enum' | 'list' | 'url' | 'size';

export interface SettingSpec {
  kind: SettingKind;
  default?: string;
  description: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  /** never printed or logged */
  secret?: boolean;
  /** words accepted besides a value of the kind (e.g. "auto" for a size) */
  keywords?: readonly string[];
  /** kind url: the accepted schemes (default postgres, postgresql) */
  protocols?: readonly string[];
}

export const SETTINGS = {
  NODE_ENV: { kind: 'enum', values: ['development', 'production', 'test'], default: 'production', description: 'Runtime mode; "test" relaxes nothing security-related, it only quiets logs.' },
  PORT: { kind: 'int', default: '3000', min: 0, max: 65535, description: 'HTTP port.' },
  HOST: { kind: 'string', default: '0.0.0.0', description: 'Interface to bind; 127.0.0.1 keeps the server local.' },
  DATA_DIR: { kind: 'string', default: './var', description: 'Runtime state (embedded database in $DATA_DIR/pglite, trained models, job files).' },
  DATABASE_URL: { kind: 'url', default: '', secret: true, description: 'postgres://user:pass@host:5432/db to use PostgreSQL (>= 15 with the vector extension); empty = embedded PGlite.' },
  DB_MIGRATIONS_RUN: { kind: 'bool', default: 'true', description: 'Run pending migrations at start-up.' },
  DB_EMBEDDED_SHARED_BUFFERS: { kind: 'size', keywords: ['auto'], default: 'auto', description: 'shared_buffers of the embedded database (PGlite), a size or auto. Its WebAssembly memory never shrinks, so this is resident from the start. auto: a quarter of the database folder\'s size at start-up, between 16mb (a new or small database: little idle memory) and 512mb (large search collections, whose HNSW index pages are then read from memory, not through the file system).' },
  MODELS_DIR: { kind: 'string', default: './models', description: 'The model store: one folder per model in the Hugging Face layout.' },
  API_KEYS: { kind: 'list', default: '', secret: true, description: 'Comma-separated keys as key:role[:owner[:project]]: role platform (manages every project), admin (manages its project) or user; project defaults to default. E.g. sk-p1:platform:ops,sk-a1:admin:shop-team:shop,sk-u1:user:alice. Empty = no key required (admin routes then only from loopback).' },
  LOG_LEVEL: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'Log level of the JSON logs on stdout.' },
  BODY_LIMIT: { kind: 'size', default: '1mb', description: 'Largest accepted request body (e.g. 512kb, 1mb, 10mb); larger bodies get 413.' },
  BULK_BODY_LIMIT: { kind: 'size', default: '50mb', description: 'Largest accepted body of the bulk write routes: POST /api/v1/collections/:name/documents and /api/v1/recommendations/{events,items}/bulk (thousands of entries per request); larger bodies get 413. Other routes keep BODY_LIMIT.' },
  RATE_LIMIT_TTL_MS: { kind: 'int', default: '60000', min: 1, description: 'Rate-limit window in milliseconds.' },
  RATE_LIMIT_MAX: { kind: 'int', default: '1200', min: 0, description: 'Requests per window per API key (or per IP without a key); 0 disables rate limiting.' },
  SHUTDOWN_DELAY_MS: { kind: 'int', default: '0', min: 0, max: 600000, description: 'On SIGTERM, how long the server keeps serving with /health/ready false before it stops accepting connections, so load balancers take it out first (Kubernetes: a few seconds; the manifests in deploy/kubernetes use 5000).' },
  SHUTDOWN_TIMEOUT_MS: { kind: 'int', default: '10000', min: 0, description: 'How long SIGTERM waits for in-flight requests before closing anyway.' },
  CORS_ORIGINS: { kind: 'list', default: '', description: 'Comma-separated origins allowed by CORS; empty = CORS off, * = any.' },
  INFERENCE_EXECUTION_PROVIDERS: { kind: 'list', default: 'cpu', description: 'Execution providers to try in order for every model without its own llmos.json setting, e.g. cuda,cpu. One that cannot load falls back to the next.' },
  INFERENCE_REPLICAS: { kind: 'int', default: '1', min: 1, max: 64, description: 'Sessions per model (requests go to the least busy).' },
  INFERENCE_INTRA_OP_THREADS: { kind: 'int', default: '0', min: 0, description: 'Threads per session for one operator; 0 = ONNX Runtime default (all cores).' },
  INFERENCE_BATCHING: { kind: 'bool', default: 'true', description: 'Dynamic batching for models whose llmos.json does not say otherwise.' },
  INFERENCE_MAX_BATCH_SIZE: { kind: 'int', default: '32', min: 1, max: 4096, description: 'Most rows the batcher merges into one run.' },
  INFERENCE_MAX_QUEUE_DELAY_MS: { kind: 'number', default: '0', min: 0, max: 10000, description: 'Longest a request waits for companions when a replica is free but its batch is not full; 0 = dispatch at once (batches still form from requests that arrive while a replica is busy).' },
  INFERENCE_MAX_QUEUE_SIZE: { kind: 'int', default: '1024', min: 1, description: 'Requests that may wait per model; beyond it requests get 503 with Retry-After.' },
  INFERENCE_TIMEOUT_MS: { kind: 'int', default: '30000', min: 0, description: 'Default deadline of one inference request (queue wait included); 0 = none.' },
  INFERENCE_AUTOLOAD: { kind: 'bool', default: 'true', description: 'Load every valid model of the store at start-up.' },
  INFERENCE_REQUIRED_MODELS: { kind: 'list', default: '', description: 'Model ids that must be loaded before /health/ready is true (besides those with "required": true in llmos.json).' },
  NLU_BOOTSTRAP: { kind: 'bool', default: 'true', description: 'On a start with no NLU data, import the bundled zh/en training data and train a first model, so /nlu/parse answers out of the box.' },
  NLU_KEEP_VERSIONS: { kind: 'int', default: '5', min: 1, max: 1000, description: 'Trained NLU model versions kept (the newest ready ones, plus the active one whatever its age); older versions and their artifact files are deleted after each training run.' },
  NLU_MAX_LOADED_MODELS: { kind: 'int', default: '16', min: 1, max: 10000, description: 'Projects whose NLU model is kept loaded at once (least recently parsed evicted first); an evicted project reloads its active version from the database at its next parse.' },
  NLU_TRAINING_CONCURRENCY: { kind: 'int', default: '1', min: 1, max: 64, description: 'NLU training runs (child processes) at once across all projects; further runs wait in order, status training with progress phase queued.' },
  USAGE_FLUSH_MS: { kind: 'int', default: '5000', min: 100, max: 3600000, description: 'How often the per-project usage counters held in memory are added to the database (one statement per flush; GET /api/v1/usage flushes first).' },
  NLU_NER_MODEL: { kind: 'string', default: 'auto', description: 'Token-classification model (models/ id) whose entities join the NLU extractors; auto = the first loaded one, none = off.' },
  NLU_ENCODER_MODEL: { kind: 'string', default: 'auto', description: 'Feature-extraction model (models/ id) whose sentence embeddings the intent classifier also learns from; auto = the first loaded one, none = off. Applies to models trained afterwards.' },
  NLU_IMPORT_BODY_LIMIT: { kind: 'size', default: '50mb', description: 'Largest accepted body of POST /api/v1/nlu/import and /import/file (training data files: JSON, NDJSON, Rasa YAML); larger bodies get 413. Other routes keep BODY_LIMIT.' },
  EMBEDDINGS_DEFAULT_MODEL: { kind: 'string', default: 'llmos-lexical', description: 'Encoder used when a request (or a module such as search) names none: llmos-lexical (built-in, lexical: hashed words and character n-grams) or a feature-extraction model id of the store.' },
  EMBEDDINGS_MAX_INPUTS: { kind: 'int', default: '2048', min: 1, max: 100000, description: 'Most texts (or token arrays) one POST /v1/embeddings request may embed; more is a 400 naming this limit.' },
  EMBEDDINGS_MAX_TOKENS: { kind: 'int', default: '512', min: 1, max: 32768, description: 'Cap on the tokens a store encoder reads per text (below its own max length from its config); longer texts are cut and reported in the response\'s truncated list.' },
  GENERATION_DEFAULT_MODEL: { kind: 'string', default: '', description: 'Model used by /api/v1/generation when a request names none; empty = the first loaded text-generation model.' },
  GENERATION_MAX_BATCH: { kind: 'int', default: '16', min: 1, max: 256, description: 'Most sequences decoded together per model (continuous batching).' },
  GENERATION_KV_CACHE_MB: { kind: 'int', default: '2048', min: 1, description: 'KV cache budget per model in MiB; requests beyond it wait in the queue.' },
  GENERATION_PREFIX_CACHE_MB: { kind: 'int', default: '256', min: 0, description: 'Prefix cache per generation model in MiB (0 = off): keys and values of prompt prefixes seen before (system prompts, few-shot examples, earlier turns), in blocks of 16 tokens, least recently used evicted; a prompt starting with cached blocks is prefilled only from where they end, with the same result.' },
  GENERATION_KV_IN_WORKER: { kind: 'bool', default: 'true', description: 'Keep each generation batch\'s KV cache in its session worker (the model replica is pinned to the batch; a decode step sends token ids and receives logits). false = the cache lives on the main thread and crosses to the worker at every step (slower; kept for comparison and as a fallback).' },
  GENERATION_MAX_WAITING: { kind: 'int', default: '256', min: 1, description: 'Requests that may wait per generation model; beyond it they get 503 with Retry-After.' },
  GENERATION_DEFAULT_MAX_TOKENS: { kind: 'int', default: '256', min: 1, description: 'max_tokens for chat and native requests that give none (OpenAI completions keep their own default of 16).' },
  RERANK_DEFAULT_MODEL: { kind: 'string', default: 'auto', description: 'Reranker (models/ id of a cross-encoder: text-classification with one label, or llmos.json task rerank) used by /v1/rerank and search when a request names none; auto = the first loaded one.' },
  RERANK_MAX_DOCUMENTS: { kind: 'int', default: '1000', min: 1, max: 100000, description: 'Most documents one /v1/rerank request may send; more get 400.' },
  SEARCH_MAX_DOCUMENTS_PER_REQUEST: { kind: 'int', default: '5000', min: 1, max: 100000, description: 'Most documents one POST /api/v1/collections/{name}/documents request may upsert (one transaction); more is a 400 naming this limit. The body must also fit BODY_LIMIT.' },
  SEARCH_EXACT_FILTER_MAX_ROWS: { kind: 'int', default: '10000', min: 0, max: 10000000, description: 'A filtered vector search whose filter matches at most this many chunks scans them exactly instead of the HNSW index (selective filters: exact and never short of k).' },
  SEARCH_HNSW_MAX_SCAN_TUPLES: { kind: 'int', default: '20000', min: 1, max: 100000000, description: 'hnsw.max_scan_tuples of filtered vector searches (pgvector iterative index scans); a scan that stops there short of k results is finished by an exact scan.' },
  SEARCH_HNSW_EF_SEARCH: { kind: 'int', default: '400', min: 1, max: 1000, description: 'Default HNSW candidate list of vector searches (pgvector hnsw.ef_search; a request may set efSearch): higher = better recall, slower. bench:search at 100k chunks (built-in encoder, PGlite): recall@10 0.94 / 0.97 / 0.98 at 200 / 400 / 800, p99 35 / 28 / 40 ms.' },
  REC_DEMO: { kind: 'bool', default: 'true', description: 'On a start where the default project has no catalog, load the demo catalog (books incl. 《斗破苍穹》, T恤衫A/B/C, ...) with generated interactions and train a first model, so recommendations answer out of the box.' },
  REC_MAX_EVENTS_PER_REQUEST: { kind: 'int', default: '100000', min: 1, max: 10000000, description: 'Most events one POST /api/v1/recommendations/events/bulk request may carry; more is a 400 naming this limit. The body must also fit BULK_BODY_LIMIT (about 80 bytes an event).' },
  REC_EVENT_BATCH_SIZE: { kind: 'int', default: '5000', min: 1, max: 100000, description: 'Events written per transaction by bulk ingestion; each committed batch is durable before the next starts.' },
  REC_EVENT_WEIGHTS: { kind: 'list', default: 'view:1,click:2,add_to_cart:4,purchase:8,rating:8,dislike:-8', description: 'Weight of one event of each type (rating: of a rating of 5; a rating r weighs r/5 of it); a user-item pair counts fully at the purchase weight. Dislike must be negative.' },
  REC_BLEND_WEIGHTS: { kind: 'list', default: 'ease:1,itemknn:0.5,content:0.5,popularity:0.05', description: 'Per-source weights of the blended recommendation (sources: ease, itemknn, als, content, popularity; content scores items newer than the model by their text); each source is scaled to its best score first. A source left out (als by default) is trained and evaluated but not served.' },
  REC_RETRAIN_INTERVAL_MS: { kind: 'int', default: '0', min: 0, max: 604800000, description: 'Scheduled retraining: this often, every project with events received since its latest version started gets a new version trained (as POST /api/v1/recommendations/train with the defaults). 0 = off (train on demand only).' },
  REC_ALS_FACTORS: { kind: 'int', default: '32', min: 1, max: 1024, description: 'Implicit ALS: latent factors per user and item.' },
  REC_ALS_REGULARIZATION: { kind: 'number', default: '5', min: 0, max: 1000000, description: 'Implicit ALS: L2 regularization of the factors.' },
  REC_ALS_ALPHA: { kind: 'number', default: '20', min: 0, max: 1000000, description: 'Implicit ALS: confidence of a cell is 1 + alpha x its weight (in [0, 1]).' },
  REC_ALS_ITERATIONS: { kind: 'int', default: '15', min: 1, max: 1000, description: 'Implicit ALS: alternating iterations (each solves every user, then every item).' },
  REC_ALS_CG_STEPS: { kind: 'int', default: '3', min: 1, max: 100, description: 'Implicit ALS: conjugate-gradient steps per solve in training (serving re-solves a user exactly).' },
  REC_NEIGHBORS: { kind: 'int', default: '300', min: 1, max: 100000, description: 'Neighbours kept per item by the item-item models (ItemKNN, EASE) of a trained version.' },
  REC_KNN_SHRINKAGE: { kind: 'number', default: '10', min: 0, max: 1000000, description: 'ItemKNN shrinkage: added to the norms\' product of the cosine, so similarities resting on few common users shrink.' },
  REC_EASE_LAMBDA: { kind: 'number', default: '250', min: 0.001, max: 100000000, description: 'EASE L2 regularization (added to the Gram matrix diagonal).' },
  REC_EASE_MAX_ITEMS: { kind: 'int', default: '6000', min: 1, max: 50000, description: 'Largest catalog EASE trains on (a dense n x n inverse: n^2 x 16 bytes and O(n^3) time); larger catalogs skip EASE and say so in the version.' },
  REC_POPULARITY_HALF_LIFE_HOURS: { kind: 'number', default: '168', min: 0, max: 1000000, description: 'Half-life of an event in the popularity source (cold start, fill-up); 0 = no decay.' },
  REC_HISTORY_LIMIT: { kind: 'int', default: '500', min: 1, max: 100000, description: 'Most recent events of a user read at request time (fold-in of the item-item models).' },
  REC_CACHE_TTL_MS: { kind: 'int', default: '5000', min: 0, max: 3600000, description: 'How long a replica serves a project\'s catalog snapshot and active model version before refreshing them in the background (requests get the cached value meanwhile: none waits); writes and trainings through this replica refresh them at once.' },
  REC_POPULARITY_REFRESH_MS: { kind: 'int', default: '600000', min: 0, max: 86400000, description: 'How often the popularity source is recomputed from all of a project\'s events, in the background (the previous scores are served meanwhile). Events ingested through this replica are added at once in between, so this only matters for other replicas\' events. 0 = only on the first request.' },
  REC_HISTORY_CACHE_MS: { kind: 'int', default: '30000', min: 0, max: 3600000, description: 'How long a replica reuses a user\'s history read for serving; events ingested through this replica drop the user\'s entry at once (the next request sees them). With several replicas, events ingested through another one count after this long: 0 = read the history on every request.' },
  REC_SERVING: { kind: 'enum', values: ['typescript', 'onnx'], default: 'typescript', description: 'How GET /api/v1/recommendations/users/{id} scores: typescript (over the neighbour tables and factors in the server process) or onnx (each version exported as an ONNX graph with TopK, run through the shared InferencePool: batched across concurrent requests, on the CUDA provider where INFERENCE_EXECUTION_PROVIDERS names it). Both give the same items; explain=true always scores in TypeScript. See docs/decisions/0018.' },
  REC_CONTENT_MIN_SIMILARITY: { kind: 'number', default: '0.3', min: -1, max: 1, description: 'Items added after the active model version reach a user through the content source (cosine of their text to the user\'s recent items, through the embeddings module) only at or above this similarity.' },
  REC_HISTORY_CACHE_USERS: { kind: 'int', default: '100000', min: 1, max: 10000000, description: 'Most users whose history a replica keeps (REC_HISTORY_CACHE_MS), least recently served dropped first.' },
  DIALOGUE_WEATHER_GEOCODING_URL: { kind: 'string', default: 'https://geocoding-api.open-meteo.com/v1/search', description: 'Open-Meteo geocoding API of the weather skill (a self-hosted Open-Meteo or a test server may stand in).' },
  DIALOGUE_WEATHER_FORECAST_URL: { kind: 'string', default: 'https://api.open-meteo.com/v1/forecast', description: 'Open-Meteo forecast API of the weather skill.' },
  DIALOGUE_WEATHER_TIMEOUT_MS: { kind: 'int', default: '3000', min: 1, max: 60000, description: 'Timeout of one weather API call; after it (and the retries) the assistant says the weather service is unavailable.' },
  DIALOGUE_WEATHER_RETRIES: { kind: 'int', default: '1', min: 0, max: 5, description: 'Retries of a weather API call that failed on the network or with a 5xx.' },
  DIALOGUE_TURN_TIMEOUT_MS: { kind: 'int', default: '30000', min: 100, max: 600000, description: 'A turn of a dialogue session that has run (or waited without progress) this long is given up, so the session\'s later messages are not blocked by a replica that died mid-turn.' },
  DIALOGUE_EXAMPLE_SIMILARITY: { kind: 'number', default: '0.45', min: 0, max: 1, description: 'Without a keyword, pattern or trained NLU model naming an intent, a message takes the intent of its most similar domain example (character bigrams, Dice) at or above this similarity; below it the assistant asks a clarifying question.' },
  DIALOGUE_FAQ_SEED: { kind: 'bool', default: 'true', description: 'On a start where the default project has no shop-faq collection, create it with the bundled shop assistant\'s Q&A (returns, shipping, membership), which its FAQ skill answers from.' },
  REDIS_URL: { kind: 'url', protocols: ['redis', 'rediss'], default: '', secret: true, description: 'redis://host:6379 shared by the replicas for rate limits (RATE_LIMIT_*) and per-project requestsPerMinute quotas; empty = counted per process (docs/scaling.md).' },
  REPLICAS: { kind: 'int', default: '1', min: 1, max: 1000, description: 'How many server processes share this database (the Deployment\'s replicas). Above 1 it needs DATABASE_URL (the embedded database is single-process) and warns without REDIS_URL (each replica would admit the full rate limit).' },
  JOBS_EXECUTE: { kind: 'bool', default: 'true', description: 'Whether this replica runs jobs (training, re-indexing). false: it records them and a replica with true claims them from the database (dedicated training replicas; needs DATABASE_URL).' },
  JOBS_MAX_RUNNING: { kind: 'int', default: '2', min: 1, max: 64, description: 'Jobs this replica claims from the shared queue at once (jobs submitted through it also run at once when JOBS_EXECUTE is true).' },
  JOBS_LEASE_MS: { kind: 'int', default: '30000', min: 1000, max: 3600000, description: 'A running job\'s lease, renewed every third of it; a job whose replica stopped renewing it (killed) is retried or failed once it has expired.' },
  JOBS_MAX_ATTEMPTS: { kind: 'int', default: '2', min: 1, max: 100, description: 'Runs of a job whose replica died before it is failed for good (a failing job is not retried).' },
  JOBS_POLL_MS: { kind: 'int', default: '2000', min: 50, max: 600000, description: 'How often a replica that runs jobs looks for queued and expired ones (a notification wakes it sooner on PostgreSQL).' },
  CLUSTER_RESYNC_MS: { kind: 'int', default: '10000', min: 100, max: 3600000, description: 'Safety net of model propagation: how often a replica re-reads which NLU versions are active (changes arrive within a second through PostgreSQL LISTEN/NOTIFY; this catches notifications missed across reconnects).' },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
