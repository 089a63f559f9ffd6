import { openAiErrorExample } from '../openai/openai-errors.decorator';
import { errorExample } from './api-errors.decorator';
import { openAiErrorType, reasonPhrase } from './error-shape';

const STATUSES = [400, 401, 403, 404, 409, 413, 429, 499, 503, 504];

describe('error examples of the OpenAPI document', () => {
  it.each(STATUSES)('the native example for %i is what the filter answers for that status', (status) => {
    const body = errorExample(status);
    expect(body).toMatchObject({ statusCode: status, error: reasonPhrase(status), requestId: expect.any(String) });
    expect(body.message.length).toBeGreaterThan(0);
  });

  it.each(STATUSES)('the OpenAI example for %i has that status\'s error.type', (status) => {
    expect(openAiErrorExample(status).error.type).toBe(openAiErrorType(status));
  });

  it('lists each bad field in details on a 400, and takes message and details for a route of its own', () => {
    expect(errorExample(400).details).toEqual([{ field: 'text', messages: ['text should not be empty'] }]);
    expect(errorExample(503, 'Not ready: models', { models: 'down' })).toMatchObject({ statusCode: 503, message: 'Not ready: models', details: { models: 'down' } });
  });

  it('refuses a status it has no sample for, instead of documenting a wrong body', () => {
    expect(() => errorExample(418)).toThrow(/No sample error for HTTP 418/);
  });
});
