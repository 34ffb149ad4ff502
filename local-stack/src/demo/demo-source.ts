import type { ForgeRuntime } from '@pagewire/devkit/forge-runtime';
import { type BlockSummary, type OperationResult, terminalJobStates } from '@pagewire/shared';
import {
  DEMO_SOURCE,
  demoMetricsBlock,
  demoStatusBlock,
  MACRO_MODULE_KEY,
  METRICS_BLOCK_KEY,
  RUNBOOK_EXTERNAL_ID,
  runbookPage,
  STATUS_BLOCK_KEY,
} from './demo-content';
import type { DemoRecord } from './demo-record';
import type { DemoResolvers } from './demo-seed';
import { isIngestError, publishPage, pushBlock, readJob } from './ingest-client';

/**
 * A pretend monitoring system: every few seconds it pushes the checkout
 * service's status and metrics with its own ingest key, like a real source.
 *
 * It steps aside for a while when someone else wrote one of its blocks (you,
 * with the printed curl command): otherwise your push would vanish a few
 * seconds later and you would never know whether it worked. It learns who
 * wrote last the way the macro's config panel does, from `blocks.list`
 * through the macro's resolver.
 */
export const STEP_ASIDE_MS = 2 * 60_000;

export interface DemoSourceOptions {
  readonly backendUrl: string;
  readonly record: DemoRecord;
  readonly runtime: ForgeRuntime;
  readonly resolvers: DemoResolvers;
  readonly intervalMs: number;
  /** One line for the console, at most once per distinct problem. */
  readonly report: (line: string) => void;
  readonly now?: () => Date;
}

export interface RunningDemoSource {
  /** Pushes once now (the stack calls it before printing that it is ready). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startDemoSource(options: DemoSourceOptions): RunningDemoSource {
  const now = options.now ?? (() => new Date());
  const { record } = options;
  let count = Math.floor(now().getTime() / options.intervalMs);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let lastProblem: string | undefined;

  async function listBlocks(): Promise<BlockSummary[]> {
    const result = await options.runtime.invoke<OperationResult<'blocks.list'>>(options.resolvers.macro, {
      key: 'blocks.list',
      payload: {},
      context: {
        accountId: record.admin.accountId,
        moduleKey: MACRO_MODULE_KEY,
        extension: {
          type: 'macro',
          space: { id: record.space.id, key: record.space.key },
          content: { id: record.statusPage.id, type: 'page' },
          isEditing: false,
        },
      },
    });
    if (!result.ok) throw new Error(`listing blocks failed: ${result.error.code}`);
    return result.data.blocks;
  }

  async function once(): Promise<void> {
    count += 1;
    const blocks = await listBlocks();
    const someoneElseWroteRecently = (key: string) => {
      const summary = blocks.find((block) => block.key === key);
      return (
        summary !== undefined &&
        summary.source !== DEMO_SOURCE &&
        now().getTime() - Date.parse(summary.updatedAt) < STEP_ASIDE_MS
      );
    };
    const key = record.ingestKeys.demoSource.key;
    if (!someoneElseWroteRecently(STATUS_BLOCK_KEY)) {
      await pushBlock(options.backendUrl, key, STATUS_BLOCK_KEY, demoStatusBlock(count));
    }
    if (!someoneElseWroteRecently(METRICS_BLOCK_KEY)) {
      await pushBlock(options.backendUrl, key, METRICS_BLOCK_KEY, demoMetricsBlock(count));
    }
  }

  function tick(): Promise<void> {
    running = running.then(() =>
      once().then(
        () => {
          if (lastProblem !== undefined) options.report('demo source: pushing again');
          lastProblem = undefined;
        },
        (error: unknown) => {
          const problem = error instanceof Error ? error.message : String(error);
          if (problem !== lastProblem) options.report(`demo source: ${problem}; trying again in a moment`);
          lastProblem = problem;
        },
      ),
    );
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().then(schedule);
    }, options.intervalMs);
  }
  schedule();

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type RunbookOutcome =
  | { state: 'published' | 'unchanged' | 'skipped_human_edit'; pageId: string | undefined }
  | { state: 'released' }
  | { state: 'failed' | 'pending'; detail: string };

/**
 * Publishes the demo's whole page from Markdown and waits (briefly) for the
 * publishing engine to finish, so the banner can say what happened.
 */
export async function publishRunbook(
  backendUrl: string,
  record: DemoRecord,
  deadlineMs = 20_000,
): Promise<RunbookOutcome> {
  const key = record.ingestKeys.demoSource.key;
  let jobId: string;
  try {
    ({ jobId } = await publishPage(backendUrl, key, RUNBOOK_EXTERNAL_ID, runbookPage(record.space.key)));
  } catch (error) {
    // A space admin chose "Stop managing" in an earlier run: the page is people's now.
    if (isIngestError(error) && error.problem?.code === 'page_released') return { state: 'released' };
    throw error;
  }
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const job = await readJob(backendUrl, key, jobId);
    if (terminalJobStates.has(job.state as never)) {
      if (job.state === 'published' || job.state === 'unchanged' || job.state === 'skipped_human_edit') {
        return { state: job.state, pageId: job.pageId };
      }
      return { state: 'failed', detail: `job ${jobId} ended ${job.state}` };
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { state: 'pending', detail: `job ${jobId} is still running` };
}
