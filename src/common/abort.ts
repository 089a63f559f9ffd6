import type { Request, Response } from 'express';

/**
 * An AbortSignal that fires when the client goes away before the response is done, so
 * queued work for a caller who left is dropped (inference queues, generation slots).
 */
export function clientAbortSignal(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  req.once('aborted', () => controller.abort());
  return controller.signal;
}
