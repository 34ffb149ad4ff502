import { join } from 'node:path';
import type { DevApiClient, RequestLogEntry, SeededSite } from '@pagewire/devkit';
import { type JobView, type PageIngestBodyInput, terminalJobStates } from '@pagewire/shared';
import type { BenchContext } from './benchmark';
import { type ChildServer, spawnBackend, spawnSeededEmulator } from './child-servers';
import { type ForgeCaller, forgeCallerFor, installAndCreateIngestKey } from './forge-calls';

/**
 * The emulator and the real backend as two processes, with one seeded site on
 * which Pagewire is installed and an ingest key for its space: what a source
 * publishing through Pagewire talks to.
 */
export interface PublishingStack {
  readonly emulator: ChildServer;
  readonly dev: DevApiClient;
  readonly backend: ChildServer;
  readonly site: SeededSite;
  readonly caller: ForgeCaller;
  readonly ingestKey: string;
  stop(): Promise<void>;
}

export async function startPublishingStack(
  context: BenchContext,
  options: { siteName: string; burstPerSecond: number | null; backendEnv?: Record<string, string> },
): Promise<PublishingStack> {
  // Only the burst limit is under test; the hourly points quota is switched off.
  const { emulator, dev, site } = await spawnSeededEmulator(options);
  try {
    const backend = await spawnBackend({
      databaseUrl: `sqlite:${join(context.workDir, `${options.siteName}.db`)}`,
      emulatorUrl: emulator.url,
      appId: site.appId,
      ...(options.backendEnv === undefined ? {} : { env: options.backendEnv }),
      main: context.backendMain,
      ...(context.cpuProfileDir === undefined ? {} : { cpuProfileDir: context.cpuProfileDir }),
    });
    try {
      // The lifecycle call also hands the backend the app system token it publishes with.
      const caller = await forgeCallerFor(dev, site);
      const ingestKey = await installAndCreateIngestKey(backend.url, caller);
      return {
        emulator,
        dev,
        backend,
        site,
        caller,
        ingestKey,
        async stop() {
          await backend.stop();
          await emulator.stop();
        },
      };
    } catch (error) {
      await backend.stop();
      throw error;
    }
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

export async function putPage(
  stack: PublishingStack,
  externalId: string,
  body: Omit<PageIngestBodyInput, 'spaceKey'>,
): Promise<string> {
  const response = await fetch(`${stack.backend.url}/ingest/v1/pages/${externalId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${stack.ingestKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ spaceKey: stack.site.space.key, ...body }),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`page ${externalId} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { jobId: string }).jobId;
}

export async function readJob(stack: PublishingStack, jobId: string, waitSeconds = 0): Promise<JobView> {
  const wait = waitSeconds > 0 ? `?wait=${waitSeconds}` : '';
  const response = await fetch(`${stack.backend.url}/ingest/v1/jobs/${jobId}${wait}`, {
    headers: { authorization: `Bearer ${stack.ingestKey}` },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`job ${jobId} answered ${response.status}: ${text}`);
  return JSON.parse(text) as JobView;
}

/**
 * Reads a job until it is final: every `pollMs`, or, with `waitSeconds`, by
 * long polls (`?wait=`) that the backend answers when the job is done, so
 * the source costs the backend about one request per job, not one a second.
 */
export async function settleJob(
  stack: PublishingStack,
  jobId: string,
  options: { pollMs: number; timeoutMs: number; waitSeconds?: number },
): Promise<JobView> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const view = await readJob(stack, jobId, options.waitSeconds ?? 0);
    if (terminalJobStates.has(view.state)) return view;
    if (options.waitSeconds !== undefined && options.waitSeconds > 0) {
      if (Date.now() > deadline)
        throw new Error(`job ${jobId} is still ${view.state} after ${options.timeoutMs} ms`);
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} is still ${view.state} after ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}

/**
 * Keeps every Confluence request the emulator logs for one site. The log holds
 * the last 20,000 requests, so it is read every couple of seconds during a run
 * and the pieces are joined by sequence number.
 */
export function collectRequests(dev: DevApiClient, cloudId: string, options: { afterSeq?: number } = {}) {
  const entries = new Map<number, RequestLogEntry>();
  // A second run on the same site starts after the first one's requests.
  let since = options.afterSeq ?? 0;
  let running = true;
  const drain = async () => {
    const fresh = await dev.requests({ since, cloudId });
    for (const entry of fresh) {
      entries.set(entry.seq, entry);
      since = Math.max(since, entry.seq);
    }
  };
  const loop = (async () => {
    while (running) {
      await drain();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  })();
  return {
    /** Stops polling and resolves to every request seen, in order (Confluence API calls only). */
    async stop(): Promise<RequestLogEntry[]> {
      running = false;
      await loop;
      await drain();
      return [...entries.values()]
        .filter((entry) => entry.path.startsWith('/ex/confluence/'))
        .sort((a, b) => a.seq - b.seq);
    },
  };
}
