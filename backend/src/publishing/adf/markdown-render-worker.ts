import { parentPort } from 'node:worker_threads';
import { convertMarkdownToAdf } from './markdown-to-adf';

/**
 * The worker-thread side of markdown-render-pool.ts: one render at a time,
 * answered by id. A stack overflow is reported as such (the content is too
 * deep); anything else as a plain failure. The pool owns the time budget: it
 * terminates this thread when a render runs over.
 */
export type RenderRequest = { id: number; markdown: string };
export type RenderResponse =
  | { id: number; ok: true; conversion: ReturnType<typeof convertMarkdownToAdf> }
  | { id: number; ok: false; reason: 'stack' | 'error'; message: string };

parentPort?.on('message', (request: RenderRequest) => {
  let response: RenderResponse;
  try {
    response = { id: request.id, ok: true, conversion: convertMarkdownToAdf(request.markdown) };
  } catch (error) {
    response = {
      id: request.id,
      ok: false,
      reason: error instanceof RangeError ? 'stack' : 'error',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort?.postMessage(response);
});
