import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { convertMarkdownToAdf } from './markdown-to-adf';

/**
 * The worker-thread side of markdown-render-pool.ts: one render at a time,
 * answered by id. A stack overflow is reported as such (the content is too
 * deep); anything else as a plain failure. The pool owns the time budget: it
 * terminates this thread when a render runs over.
 */
export type RenderRequest = { id: number; markdown: string };
export type RenderResponse =
  | { ready: true }
  | { id: number; ok: true; conversion: ReturnType<typeof convertMarkdownToAdf> }
  | { id: number; ok: false; reason: 'stack' | 'error'; message: string };

/**
 * Renders are background work: on Linux this thread lowers its own scheduling
 * priority (a thread id is a valid target of setpriority there), so on a busy
 * machine a render spinning at full speed never makes the thread that answers
 * HTTP wait for a core. Elsewhere, or where it is not allowed, it stays as is.
 */
function lowerOwnPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, constants.priority.PRIORITY_LOW);
  } catch {
    // Not Linux, or no /proc: same priority as the rest of the process.
  }
}
lowerOwnPriority();

/** Answers go on the port the pool handed over, which it can also read synchronously when a budget runs out. */
const port: MessagePort | null = (workerData as { port?: MessagePort } | null)?.port ?? parentPort;

port?.on('message', (request: RenderRequest) => {
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
  port?.postMessage(response);
});
// The pool starts a render's time budget only from here: booting a thread on a busy machine is not the content's cost.
port?.postMessage({ ready: true } satisfies RenderResponse);
