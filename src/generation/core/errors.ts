/**
 * Errors of the generation core. They carry the request field they are about as
 * `details.param`, which the error filter copies into OpenAI's `error.param`, so an
 * OpenAI client sees which argument to fix.
 */
import { DomainError } from '../../common/errors';

/** A generation request option is invalid (400). `param` names the field, e.g. `top_p`. */
export class GenerationOptionsError extends DomainError {
  readonly param: string;

  constructor(param: string, message: string, code = 'bad_request') {
    super(400, code, message, { param });
    this.param = param;
  }
}

/** A sampling option is invalid; a GenerationOptionsError so callers can catch either. */
export class SamplingOptionsError extends GenerationOptionsError {}

/** The chat messages are not acceptable (400, param `messages`). */
export class ChatMessagesError extends GenerationOptionsError {
  constructor(message: string) {
    super('messages', message);
  }
}

/**
 * The model's chat template itself is broken (it does not parse). That is the model
 * folder's fault, not the caller's, hence 500; `source` says which file to fix.
 */
export class ChatTemplateError extends DomainError {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(500, 'chat_template_error', message, { source });
  }
}
