import { ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { BadInputError } from './errors';

export interface FieldProblem {
  field: string;
  messages: string[];
}

/** Flattens nested class-validator errors into `field.path: messages`. */
export function fieldProblems(errors: ClassValidatorError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...fieldProblems(e.children ?? [], field)];
  });
}

/**
 * Validates every DTO: unknown fields are refused (a typo should not be silently
 * ignored) and each bad field is listed in `details`.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = fieldProblems(errors);
      return new BadInputError(details.map((d) => `${d.field}: ${d.messages.join(', ')}`).join('; '), details);
    },
  });
}
