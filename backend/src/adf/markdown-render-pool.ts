import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RenderRequest, RenderResponse } from './markdown-render-worker';
import { ContentTooComplexError, type MarkdownRenderer } from './markdown-renderer';
import type { MarkdownConversion } from './markdown-to-adf';

export interface RenderPoolOptions {
  /** Worker threads rendering at once; more renders wait in line. */
  workers: number;
  /** How long one render may run on its worker before the worker is terminated and the render fails. */
  timeoutMs: number;
  /** Heap cap per worker: a render that needs more fails as too complex instead of swelling the process. */
  maxHeapMb?: number;
  logger?: Logger;
}

interface Task {
  id: number;
  markdown: string;
  resolve(conversion: MarkdownConversion): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  /** The worker's answers; read synchronously when a budget runs out, in case the answer is already there. */
  port: MessagePort;
  /** Loaded and listening: only then does a render (and its time budget) start on it. */
  ready: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

/** Raised for renders still waiting, or in hand, when the pool closes. */
export class RenderPoolClosedError extends Error {
  override readonly name = 'RenderPoolClosedError';
  constructor() {
    super('the Markdown renderer is shutting down');
  }
}

type WorkerSource = { file: URL } | { code: string };

/**
 * Where the worker's code comes from. In the esbuild bundle
 * (`backend/build.mjs`) `import.meta.url` is `dist/main.js` and the worker is
 * bundled next to it as `dist/markdown-render-worker.js`. From source (tsx,
 * vitest) a worker thread cannot load TypeScript: on Node 20 the loader hooks
 * of `--import tsx` do not reach worker threads. So the worker module is
 * bundled in memory once, with esbuild (a development dependency, never
 * loaded by the bundle), and started from that code.
 */
async function loadWorkerSource(): Promise<WorkerSource> {
  if (!import.meta.url.endsWith('.ts'))
    return { file: new URL('./markdown-render-worker.js', import.meta.url) };
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./markdown-render-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text };
}

/**
 * Markdown→ADF on worker threads (node:worker_threads), so the thread that
 * answers HTTP never parses Markdown: a body whose parse grows with the square
 * of its nesting (or never ends) costs one worker for at most `timeoutMs`,
 * after which that worker is terminated, a fresh one takes its place, and the
 * render fails with a `ContentTooComplexError`. Workers start on first use.
 *
 * Hand-written rather than piscina: what is needed is a per-task deadline
 * that kills a thread stuck in synchronous code and replaces it; piscina's
 * abort does that too, but the pool here is this one mechanism in ~150
 * lines, and the worker's code must be loaded in two ways (bundle and source)
 * that piscina's filename-only workers would need the same care for.
 */
export function createMarkdownRenderPool(options: RenderPoolOptions): MarkdownRenderer {
  let source: WorkerSource | null = null;
  let sourceLoading: Promise<WorkerSource> | null = null;
  const slots: Slot[] = [];
  const waiting: Task[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Slot {
    const from = source!;
    const channel = new MessageChannel();
    const worker = new Worker('file' in from ? from.file : from.code, {
      eval: !('file' in from),
      workerData: { port: channel.port2 },
      transferList: [channel.port2],
      // The main thread's stack size (about 1 MB): deep nesting overflows fast, instead of
      // running for seconds first (the parse time grows with the square of the depth).
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 256, stackSizeMb: 1 },
      // The worker has nothing to say on stdout; keep its output out of the JSON log stream.
      stdout: false,
    });
    // Idle workers must not keep a process alive that is otherwise done.
    worker.unref();
    const slot: Slot = { worker, port: channel.port1, ready: false, task: null, timer: null };
    channel.port1.unref();
    channel.port1.on('message', (response: RenderResponse) => answer(slot, response));
    worker.on('error', (error: Error & { code?: string }) => {
      // Out of memory under resourceLimits ends the worker with ERR_WORKER_OUT_OF_MEMORY.
      const task = slot.task;
      replace(slot);
      if (task !== null) {
        task.reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ContentTooComplexError('memory')
            : new Error(`the Markdown render worker failed: ${error.message}`),
        );
      }
      if (error.code !== 'ERR_WORKER_OUT_OF_MEMORY') {
        options.logger?.error({ err: error }, 'a Markdown render worker failed');
      }
      dispatch();
    });
    worker.on('exit', () => {
      if (slots.includes(slot)) {
        const task = slot.task;
        replace(slot);
        task?.reject(closed ? new RenderPoolClosedError() : new Error('the Markdown render worker exited'));
        dispatch();
      }
    });
    return slot;
  }

  function answer(slot: Slot, response: RenderResponse): void {
    if ('ready' in response) {
      slot.ready = true;
      dispatch();
      return;
    }
    const task = slot.task;
    if (task === null || task.id !== response.id) return;
    finish(slot);
    if (response.ok) task.resolve(response.conversion);
    else if (response.reason === 'stack') task.reject(new ContentTooComplexError('stack'));
    else task.reject(new Error(`Markdown rendering failed: ${response.message}`));
    dispatch();
  }

  function finish(slot: Slot): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
    slot.worker.unref();
  }

  /** Drops a slot whose worker is gone or must go; the next dispatch starts another when needed. */
  function replace(slot: Slot): void {
    finish(slot);
    const index = slots.indexOf(slot);
    if (index !== -1) slots.splice(index, 1);
    slot.port.close();
    void slot.worker.terminate().catch(() => {});
  }

  function dispatch(): void {
    while (!closed && waiting.length > 0 && source !== null) {
      const slot = slots.find((candidate) => candidate.ready && candidate.task === null);
      if (slot === undefined) {
        // A worker still starting will dispatch when it is ready.
        if (slots.length < options.workers && !slots.some((candidate) => !candidate.ready)) {
          slots.push(spawn());
        }
        return;
      }
      const task = waiting.shift()!;
      slot.task = task;
      // A render in hand keeps the process up until it answers or times out.
      slot.worker.ref();
      const busy = slot;
      busy.timer = setTimeout(() => {
        if (busy.task !== task) return;
        // This thread may have been too busy to hear an answer that came in time.
        const waiting = receiveMessageOnPort(busy.port);
        if (waiting !== undefined) {
          answer(busy, waiting.message as RenderResponse);
          return;
        }
        replace(busy);
        task.reject(new ContentTooComplexError('time_budget'));
        dispatch();
      }, options.timeoutMs);
      busy.port.postMessage({ id: task.id, markdown: task.markdown } satisfies RenderRequest);
    }
  }

  return {
    render(markdown) {
      if (closed) return Promise.reject(new RenderPoolClosedError());
      const rendered = new Promise<MarkdownConversion>((resolve, reject) => {
        waiting.push({ id: nextId++, markdown, resolve, reject });
      });
      if (source !== null) {
        dispatch();
      } else {
        sourceLoading ??= loadWorkerSource();
        sourceLoading.then(
          (loaded) => {
            source = loaded;
            dispatch();
          },
          (error: unknown) => {
            sourceLoading = null;
            options.logger?.error({ err: error }, 'the Markdown render worker could not be prepared');
            for (const task of waiting.splice(0)) {
              task.reject(new Error('the Markdown render worker could not be prepared'));
            }
          },
        );
      }
      return rendered;
    },
    async close() {
      closed = true;
      for (const task of waiting.splice(0)) task.reject(new RenderPoolClosedError());
      const stopping = slots.splice(0).map((slot) => {
        const task = slot.task;
        finish(slot);
        slot.port.close();
        task?.reject(new RenderPoolClosedError());
        return slot.worker.terminate();
      });
      await Promise.all(stopping);
    },
  };
}
