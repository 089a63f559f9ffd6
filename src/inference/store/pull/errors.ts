/**
 * Errors of `models:pull`. Each message says what went wrong and what to do about it;
 * none ever contains the HF_TOKEN value.
 */
export class PullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** huggingface.co could not be reached at all: DNS, connect or timeout failure. */
export class HubOfflineError extends PullError {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    const host = hostOf(endpoint);
    super(
      `Cannot reach ${host} (${reason}): this machine seems to have no route to the Hugging Face Hub.\n` +
        `To install a model without network access here, pull it on a machine that has it\n` +
        `(npm run models:pull -- <repo>) or download the files listed in docs/models-pull.md by hand,\n` +
        `then copy the whole model folder (config.json, tokenizer.json, onnx/...) into this machine's\n` +
        `MODELS_DIR (default ./models/<name>/). A mirror can be used with HF_ENDPOINT=https://...`,
    );
  }
}

/** The Hub answered with an HTTP error that retrying will not fix (401, 403, 404...). */
export class HubHttpError extends PullError {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/** A transient failure (connection reset, 5xx, 429, stalled body): worth retrying. */
export class TransientHubError extends PullError {}

export class NoOnnxExportError extends PullError {}

export class ChecksumMismatchError extends PullError {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
    readonly algorithm: 'sha256' | 'git-sha1' | 'size',
  ) {
    super(
      `${path}: ${algorithm === 'size' ? 'size' : algorithm} mismatch (expected ${expected}, got ${actual}). ` +
        'The damaged file was deleted; run the same command again to download it anew.',
    );
  }
}

export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
