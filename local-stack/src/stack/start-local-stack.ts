import { createServer } from 'node:net';
import { join } from 'node:path';
import { startBackend } from '@pagewire/backend';
import { createDevApiClient, type DevApiClient, startEmulator } from '@pagewire/devkit';
import { createEmulatorState, type EmulatorState } from '@pagewire/devkit/emulator-state';
import { createForgeRuntime, type ForgeRuntime } from '@pagewire/devkit/forge-runtime';
import { quickstartStatusBlock, STATUS_BLOCK_KEY } from '../demo/demo-content';
import { type DemoRecord, readDemoRecord, writeDemoRecord } from '../demo/demo-record';
import { type DemoResolvers, deliverLifecycle, ensureDemo, worldHolds } from '../demo/demo-seed';
import { publishRunbook, type RunbookOutcome, startDemoSource } from '../demo/demo-source';
import { curlCommand } from '../demo/ingest-client';
import { startPreview } from '../preview/preview-server';
import { createBackendLogStream } from './backend-log-stream';
import { subscribeBackendToContentEvents } from './content-events';
import { loadEmulatorState, saveEmulatorState, serializeEmulatorState } from './emulator-persistence';
import { loadForgeFunctions } from './forge-functions';
import type { LocalStackOptions } from './local-stack-options';

export interface RunningLocalStack {
  readonly previewUrl: string;
  readonly backendUrl: string;
  readonly emulatorUrl: string;
  readonly record: DemoRecord;
  /** `seeded` on a first start, `reused` when the saved demo was picked up. */
  readonly seed: 'seeded' | 'reused';
  readonly notes: readonly string[];
  readonly runbook: RunbookOutcome;
  readonly quickstartKey: string;
  /** The demo consumer's export key and a curl that reads the space's pages with it. */
  readonly exportKey: string | null;
  readonly exportCurl: string | null;
  readonly curl: string;
  close(): Promise<void>;
}

export interface LocalStackHooks {
  /** Warnings and notes while running (backend warnings, demo-source trouble). */
  report(line: string): void;
}

/** Forge sends the backend a fresh app token at least hourly (manifest `scheduledTrigger`, interval hour). */
const TOKEN_REFRESH_INTERVAL_MS = 60 * 60_000;
const SAVE_INTERVAL_MS = 5_000;

/** A port nothing listens on right now (the OS's choice for port 0), for a process that must know it up front. */
function pickFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function connectable(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
}

/**
 * The whole product on one laptop: the emulator (Confluence Cloud + Forge),
 * the backend on SQLite with a development master key, the real Forge
 * resolvers on the devkit's runtime harness, the demo and the local preview.
 * Everything stops in reverse order on `close()`.
 */
export async function startLocalStack(
  options: LocalStackOptions,
  hooks: LocalStackHooks,
): Promise<RunningLocalStack> {
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        hooks.report(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  try {
    const statePath = join(options.dataDir, 'emulator-state.json');
    const recordPath = join(options.dataDir, 'local-stack.json');
    const notes: string[] = [];

    const loaded = loadEmulatorState(statePath);
    if (loaded.kind === 'unreadable') {
      notes.push(
        `the saved emulator world could not be read (${loaded.reason}); moved it to ${loaded.movedTo}`,
      );
    }
    let record = readDemoRecord(recordPath);
    let state: EmulatorState = loaded.state;
    if (record !== null && !worldHolds(state, record)) {
      // The record and the emulator's world were saved together; one without
      // the other cannot be trusted, so the demo is seeded again.
      notes.push('the saved demo did not match the saved emulator world; seeding a new demo');
      record = null;
      if (loaded.kind === 'restored') state = createEmulatorState();
    } else if (record === null && loaded.kind === 'restored') {
      notes.push('found a saved emulator world without its demo record; seeding a new demo');
      state = createEmulatorState();
    }

    const emulator = await startEmulator({ port: options.emulatorPort, host: options.host, state });
    const emulatorUrl = connectable(emulator.url);
    stops.push(() => emulator.close());
    const dev: DevApiClient = createDevApiClient(emulatorUrl);

    // The settings page shows sources the backend's URL (PAGEWIRE_PUBLIC_URL), so "any free port" is picked here.
    const backendPort = options.backendPort === 0 ? await pickFreePort(options.host) : options.backendPort;
    const logs = createBackendLogStream(join(options.dataDir, 'logs', 'backend.log'), hooks.report);
    stops.push(() => logs.close());
    const backendOptions = {
      env: {
        PORT: String(backendPort),
        HOST: options.host,
        DATABASE_URL: `sqlite:${join(options.dataDir, 'pagewire.db')}`,
        PAGEWIRE_DEV: '1',
        PAGEWIRE_DATA_DIR: options.dataDir,
        PAGEWIRE_FORGE_JWKS_URL: dev.jwksUrl,
        PAGEWIRE_ATLASSIAN_API_BASE: emulatorUrl,
        PAGEWIRE_MODE: 'in-house',
        PAGEWIRE_PUBLIC_URL: connectable(`http://${options.host}:${backendPort}`),
        LOG_LEVEL: 'info',
        // A local publisher picks up work quickly; production polls every second.
        PAGEWIRE_PUBLISH_POLL_MS: '200',
      },
      logDestination: logs.stream,
    };
    let backend: Awaited<ReturnType<typeof startBackend>> | null = await startBackend(backendOptions);
    const backendUrl = connectable(backend.url);
    stops.push(() => backend?.close());
    // "Simulate a backend outage" on the preview's emulator screen: the same backend, stopped and started again.
    const backendSwitch = {
      isOnline: () => backend !== null,
      async setOnline(online: boolean) {
        if (online && backend === null) backend = await startBackend(backendOptions);
        if (!online && backend !== null) {
          const stopping = backend;
          backend = null;
          await stopping.close();
        }
      },
    };

    const functions = await loadForgeFunctions();
    const resolvers: DemoResolvers = {
      macro: functions.macroResolver,
      settings: functions.settingsResolver,
      notice: functions.pageNoticeResolver,
    };
    const runtimes: ForgeRuntime[] = [];
    stops.push(() => {
      for (const runtime of runtimes) runtime.dispose();
    });
    const seeded = await ensureDemo(
      {
        dev,
        backendUrl,
        resolvers,
        async createRuntime(installationId) {
          const runtime = await createForgeRuntime({
            emulatorUrl,
            installationId,
            remotes: { backend: backendUrl },
          });
          runtimes.push(runtime);
          return runtime;
        },
      },
      record,
    );
    record = seeded.record;
    notes.push(...seeded.repaired);
    writeDemoRecord(recordPath, record);
    // Edits made in the emulator reach the backend as Confluence events, and go out as webhooks.
    await subscribeBackendToContentEvents(dev, record.installationId, backendUrl);

    // Save the emulator's world now, every few seconds when it changed, and on the way out.
    let saved = '';
    const save = () => {
      const snapshot = JSON.stringify(serializeEmulatorState(state));
      if (snapshot === saved) return;
      saveEmulatorState(statePath, state);
      saved = snapshot;
    };
    save();
    const saver = setInterval(save, SAVE_INTERVAL_MS);
    saver.unref();
    stops.push(() => {
      clearInterval(saver);
      save();
    });

    const refresher = setInterval(() => {
      deliverLifecycle(seeded.runtime, 'tokenRefresh').catch((error: unknown) =>
        hooks.report(`token refresh: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, TOKEN_REFRESH_INTERVAL_MS);
    refresher.unref();
    stops.push(() => clearInterval(refresher));

    const runbook = await publishRunbook(backendUrl, record);

    if (options.demoIntervalMs > 0) {
      const source = startDemoSource({
        backendUrl,
        record,
        runtime: seeded.runtime,
        resolvers,
        intervalMs: options.demoIntervalMs,
        report: hooks.report,
      });
      stops.push(() => source.stop());
    }

    const preview = await startPreview({
      port: options.previewPort,
      host: options.host,
      dev,
      backendUrl,
      record,
      runtime: seeded.runtime,
      resolvers,
      backend: backendSwitch,
      report: hooks.report,
    });
    stops.push(() => preview.close());

    const quickstartKey = record.ingestKeys.quickstart.key;
    return {
      previewUrl: connectable(preview.url),
      backendUrl,
      emulatorUrl,
      record,
      seed: seeded.kind,
      notes,
      runbook,
      quickstartKey,
      curl: curlCommand(backendUrl, quickstartKey, STATUS_BLOCK_KEY, quickstartStatusBlock()),
      exportKey: record.exportKey?.key ?? null,
      exportCurl:
        record.exportKey === undefined
          ? null
          : `curl -s '${backendUrl}/export/v1/pages?limit=50' -H 'Authorization: Bearer ${record.exportKey.key}'`,
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
