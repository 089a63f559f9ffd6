import { TrainingDataFormatError, TrainingDataProblem } from './validation';

/** Test helper: the problems a parser throws; fails the test when it does not throw. */
export function problemsOf<T>(parse: (input: T) => unknown, input: T): TrainingDataProblem[] {
  try {
    parse(input);
  } catch (err) {
    if (err instanceof TrainingDataFormatError) return err.problems;
    throw err;
  }
  throw new Error('expected a TrainingDataFormatError');
}
