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
  const pool = new RenderPool(options);
  return { render: (markdown) => pool.render(markdown), close: () => pool.close() };
}

class RenderPool {
  private source: WorkerSource | null = null;
  private sourceLoading: Promise<WorkerSource> | null = null;
  private readonly slots: Slot[] = [];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: RenderPoolOptions) {}

  render(markdown: string): Promise<MarkdownConversion> {
    if (this.closed) return Promise.reject(new RenderPoolClosedError());
    const rendered = new Promise<MarkdownConversion>((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, markdown, resolve, reject });
    });
    if (this.source !== null) this.dispatch();
    else this.loadSource();
    return rendered;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting.splice(0)) task.reject(new RenderPoolClosedError());
    const stopping = this.slots.splice(0).map((slot) => {
      const task = slot.task;
      this.finish(slot);
      slot.port.close();
      task?.reject(new RenderPoolClosedError());
      return slot.worker.terminate();
    });
    await Promise.all(stopping);
  }

  private loadSource(): void {
    this.sourceLoading ??= loadWorkerSource();
    this.sourceLoading.then(
      (loaded) => {
        this.source = loaded;
        this.dispatch();
      },
      (error: unknown) => {
        this.sourceLoading = null;
        this.options.logger?.error({ err: error }, 'the Markdown render worker could not be prepared');
        for (const task of this.waiting.splice(0)) {
          task.reject(new Error('the Markdown render worker could not be prepared'));
        }
      },
    );
  }

  private spawn(): Slot {
    const from = this.source!;
    const channel = new MessageChannel();
    const worker = new Worker('file' in from ? from.file : from.code, {
      eval: !('file' in from),
      workerData: { port: channel.port2 },
      transferList: [channel.port2],
      // The main thread's stack size (about 1 MB): deep nesting overflows fast, instead of
      // running for seconds first (the parse time grows with the square of the depth).
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 256, stackSizeMb: 1 },
      // The worker has nothing to say on stdout; keep its output out of the JSON log stream.
      stdout: false,
    });
    // Idle workers must not keep a process alive that is otherwise done.
    worker.unref();
    const slot: Slot = { worker, port: channel.port1, ready: false, task: null, timer: null };
    channel.port1.unref();
    channel.port1.on('message', (response: RenderResponse) => this.answer(slot, response));
    worker.on('error', (error: Error & { code?: string }) => this.workerFailed(slot, error));
    worker.on('exit', () => this.workerExited(slot));
    return slot;
  }

  private workerFailed(slot: Slot, error: Error & { code?: string }): void {
    // Out of memory under resourceLimits ends the worker with ERR_WORKER_OUT_OF_MEMORY.
    const task = slot.task;
    this.replace(slot);
    if (task !== null) {
      task.reject(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new ContentTooComplexError('memory')
          : new Error(`the Markdown render worker failed: ${error.message}`),
      );
    }
    if (error.code !== 'ERR_WORKER_OUT_OF_MEMORY') {
      this.options.logger?.error({ err: error }, 'a Markdown render worker failed');
    }
    this.dispatch();
  }

  private workerExited(slot: Slot): void {
    if (!this.slots.includes(slot)) return;
    const task = slot.task;
    this.replace(slot);
    task?.reject(this.closed ? new RenderPoolClosedError() : new Error('the Markdown render worker exited'));
    this.dispatch();
  }

  private answer(slot: Slot, response: RenderResponse): void {
    if ('ready' in response) {
      slot.ready = true;
      this.dispatch();
      return;
    }
    const task = slot.task;
    if (task === null || task.id !== response.id) return;
    this.finish(slot);
    if (response.ok) task.resolve(response.conversion);
    else if (response.reason === 'stack') task.reject(new ContentTooComplexError('stack'));
    else task.reject(new Error(`Markdown rendering failed: ${response.message}`));
    this.dispatch();
  }

  private finish(slot: Slot): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
    slot.worker.unref();
  }

  /** Drops a slot whose worker is gone or must go; the next dispatch starts another when needed. */
  private replace(slot: Slot): void {
    this.finish(slot);
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
    slot.port.close();
    void slot.worker.terminate().catch(() => {});
  }

  private dispatch(): void {
    while (!this.closed && this.waiting.length > 0 && this.source !== null) {
      const slot = this.slots.find((candidate) => candidate.ready && candidate.task === null);
      if (slot === undefined) {
        // A worker still starting will dispatch when it is ready.
        if (this.slots.length < this.options.workers && !this.slots.some((candidate) => !candidate.ready)) {
          this.slots.push(this.spawn());
        }
        return;
      }
      this.start(slot, this.waiting.shift()!);
    }
  }

  /** Hands a render to an idle worker, under its time budget. */
  private start(slot: Slot, task: Task): void {
    slot.task = task;
    // A render in hand keeps the process up until it answers or times out.
    slot.worker.ref();
    slot.timer = setTimeout(() => {
      if (slot.task !== task) return;
      // This thread may have been too busy to hear an answer that came in time.
      const pending = receiveMessageOnPort(slot.port);
      if (pending !== undefined) {
        this.answer(slot, pending.message as RenderResponse);
        return;
      }
      this.replace(slot);
      task.reject(new ContentTooComplexError('time_budget'));
      this.dispatch();
    }, this.options.timeoutMs);
    slot.port.postMessage({ id: task.id, markdown: task.markdown } satisfies RenderRequest);
  }
}
