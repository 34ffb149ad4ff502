import { randomUUID } from 'node:crypto';
import {
  basicAuthorization,
  type DevApiClient,
  PAGEWIRE_APP_ID,
  PAGEWIRE_APP_SCOPES,
} from '@pagewire/devkit';
import type { EmulatorState } from '@pagewire/devkit/emulator-state';
import type { ForgeRuntime, ResolverHandler } from '@pagewire/devkit/forge-runtime';
import type { OperationName, OperationOutput, OperationResult } from '@pagewire/shared';
import {
  DEMO_SOURCE,
  demoMetricsBlock,
  demoStatusBlock,
  METRICS_BLOCK_KEY,
  QUICKSTART_SOURCE,
  STATUS_BLOCK_KEY,
  STATUS_PAGE_TITLE,
  statusPageDocument,
} from './demo-content';
import type { DemoAccount, DemoIngestKey, DemoRecord } from './demo-record';
import { pushBlock } from './ingest-client';

export const DEMO_SITE_NAME = 'demo';
export const DEMO_SPACE_KEY = 'ENG';
export const SETTINGS_MODULE_KEY = 'pagewire-space-settings';

export interface DemoResolvers {
  readonly macro: ResolverHandler;
  readonly settings: ResolverHandler;
  /** The page notice's resolver (the byline item on pages Pagewire publishes). */
  readonly notice: ResolverHandler;
}

export interface SeedDependencies {
  readonly dev: DevApiClient;
  readonly backendUrl: string;
  readonly resolvers: DemoResolvers;
  createRuntime(installationId: string): Promise<ForgeRuntime>;
}

export interface SeedOutcome {
  readonly record: DemoRecord;
  readonly runtime: ForgeRuntime;
  /** `seeded`: a new world; `reused`: the saved one, with whatever was repaired. */
  readonly kind: 'seeded' | 'reused';
  readonly repaired: string[];
}

export class DemoSeedError extends Error {
  override readonly name = 'DemoSeedError';
}

/** Whether the emulator's restored world still holds what the record describes. */
export function worldHolds(state: EmulatorState, record: DemoRecord): boolean {
  const site = state.sitesByCloudId.get(record.site.cloudId);
  return (
    site !== undefined &&
    site.name === record.site.name &&
    state.installations.get(record.installationId)?.cloudId === site.cloudId &&
    site.spaceIdsByKey.get(record.space.key) === record.space.id &&
    site.pages.has(record.statusPage.id)
  );
}

/** Calls the settings resolver as a user would from Space settings → Pagewire. */
export async function invokeSettings<Name extends OperationName>(
  runtime: ForgeRuntime,
  resolvers: DemoResolvers,
  record: Pick<DemoRecord, 'space'>,
  accountId: string,
  name: Name,
  payload: unknown,
): Promise<OperationResult<Name>> {
  return runtime.invoke<OperationResult<Name>>(resolvers.settings, {
    key: name,
    payload,
    context: {
      accountId,
      moduleKey: SETTINGS_MODULE_KEY,
      extension: { type: 'confluence:spaceSettings', space: { id: record.space.id, key: record.space.key } },
    },
  });
}

function unwrap<Name extends OperationName>(
  what: string,
  result: OperationResult<Name>,
): OperationOutput<Name> {
  if (result.ok) return result.data;
  throw new DemoSeedError(`${what} failed: ${result.error.code} (${result.error.message})`);
}

async function createIngestKey(
  deps: SeedDependencies,
  runtime: ForgeRuntime,
  record: Pick<DemoRecord, 'space' | 'admin'>,
  source: string,
): Promise<DemoIngestKey> {
  const created = unwrap(
    `creating the "${source}" ingest key`,
    await invokeSettings(runtime, deps.resolvers, record, record.admin.accountId, 'ingestKeys.create', {
      source,
    }),
  );
  return { id: created.id, source: created.source, key: created.key };
}

/** The demo consumer of the export: export turned on for the space, and a key for it. */
export const DEMO_CONSUMER = 'demo consumer';

async function createExportKey(
  deps: SeedDependencies,
  runtime: ForgeRuntime,
  record: Pick<DemoRecord, 'space' | 'admin'>,
): Promise<NonNullable<DemoRecord['exportKey']>> {
  unwrap(
    'turning export on',
    await invokeSettings(runtime, deps.resolvers, record, record.admin.accountId, 'settings.update', {
      export: { enabled: true },
    }),
  );
  const created = unwrap(
    'creating the export key',
    await invokeSettings(runtime, deps.resolvers, record, record.admin.accountId, 'exportKeys.create', {
      consumer: `${DEMO_CONSUMER} ${randomUUID().slice(0, 8)}`,
    }),
  );
  return { id: created.id, consumer: created.consumer, key: created.key };
}

/**
 * Forge POSTs lifecycle events to the backend endpoint named in the manifest
 * (`backend-lifecycle` → `/forge/v1/lifecycle.installed`) with the app system
 * token: that is how the backend learns the installation.
 */
async function deliverLifecycle(
  runtime: ForgeRuntime,
  kind: 'installed' | 'tokenRefresh',
  installer?: string,
) {
  const response =
    kind === 'installed'
      ? await runtime.deliverEvent({
          remote: 'backend',
          path: '/forge/v1/lifecycle.installed',
          moduleKey: 'backend-lifecycle',
          payload: runtime.lifecycleEventPayload('avi:forge:installed:app', installer),
        })
      : await runtime.deliverEvent({
          remote: 'backend',
          path: '/forge/v1/lifecycle.tokenRefresh',
          moduleKey: 'backend-token-refresh',
          // A scheduled trigger's payload names only the site and the trigger.
          payload: {
            context: { cloudId: runtime.installation.cloudId, moduleKey: 'pagewire-token-refresh' },
          },
        });
  if (response.status >= 300) {
    throw new DemoSeedError(`the backend refused the ${kind} lifecycle event (HTTP ${response.status})`);
  }
}

export { deliverLifecycle };

async function createUser(dev: DevApiClient, cloudId: string, email: string, displayName: string) {
  const { accountId } = await dev.createUser({ cloudId, email, displayName });
  return { accountId, email, displayName } satisfies DemoAccount;
}

/** A person creates the page in the editor: the admin, with their own (classic) API token, at the site URL. */
async function createStatusPage(
  dev: DevApiClient,
  siteUrl: string,
  admin: DemoAccount,
  space: { id: string; homepageId: string | null },
  document: unknown,
): Promise<string> {
  const { token } = await dev.createApiToken({ email: admin.email, scopes: null });
  const response = await fetch(`${siteUrl}/wiki/api/v2/pages`, {
    method: 'POST',
    headers: { authorization: basicAuthorization(admin.email, token), 'content-type': 'application/json' },
    body: JSON.stringify({
      spaceId: space.id,
      status: 'current',
      title: STATUS_PAGE_TITLE,
      ...(space.homepageId ? { parentId: space.homepageId } : {}),
      body: { representation: 'atlas_doc_format', value: JSON.stringify(document) },
    }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new DemoSeedError(
      `creating the "${STATUS_PAGE_TITLE}" page failed (HTTP ${response.status}: ${text.slice(0, 200)})`,
    );
  return (JSON.parse(text) as { id: string }).id;
}

async function seedWorld(deps: SeedDependencies): Promise<{ record: DemoRecord; runtime: ForgeRuntime }> {
  const { dev } = deps;
  const site = await dev.createSite({ name: DEMO_SITE_NAME });
  const domain = `${DEMO_SITE_NAME}.example.com`;
  const admin = await createUser(dev, site.cloudId, `alex.admin@${domain}`, 'Alex Admin');
  const member = await createUser(dev, site.cloudId, `morgan.member@${domain}`, 'Morgan Member');
  const serviceAccount = await createUser(
    dev,
    site.cloudId,
    `pagewire-bot@${domain}`,
    'Pagewire service account',
  );
  const space = await dev.createSpace({
    cloudId: site.cloudId,
    key: DEMO_SPACE_KEY,
    name: 'Engineering',
    admins: [admin.accountId],
    members: [member.accountId, serviceAccount.accountId],
  });
  const installation = await dev.createInstallation({
    cloudId: site.cloudId,
    appId: PAGEWIRE_APP_ID,
    scopes: [...PAGEWIRE_APP_SCOPES],
  });
  const runtime = await deps.createRuntime(installation.installationId);
  await deliverLifecycle(runtime, 'installed', admin.accountId);

  const base = { space: { id: space.id, key: space.key, name: 'Engineering' }, admin };
  const demoSource = await createIngestKey(deps, runtime, base, DEMO_SOURCE);
  const quickstart = await createIngestKey(deps, runtime, base, QUICKSTART_SOURCE);
  // The blocks exist before the page that shows them, so the first view has content.
  await pushBlock(deps.backendUrl, demoSource.key, STATUS_BLOCK_KEY, demoStatusBlock(0));
  await pushBlock(deps.backendUrl, demoSource.key, METRICS_BLOCK_KEY, demoMetricsBlock(0));

  const macros = [
    { localId: randomUUID(), blockKey: STATUS_BLOCK_KEY },
    { localId: randomUUID(), blockKey: METRICS_BLOCK_KEY },
  ];
  const view = runtime.installation;
  const document = statusPageDocument(
    { appId: view.appId, environmentId: view.environmentId, environmentType: view.environmentType },
    macros[0]!,
    macros[1]!,
  );
  const pageId = await createStatusPage(dev, site.siteUrl, admin, space, document);
  const record: DemoRecord = {
    format: 1,
    site: { cloudId: site.cloudId, name: site.name },
    admin,
    member,
    serviceAccount,
    space: base.space,
    installationId: installation.installationId,
    statusPage: { id: pageId, title: STATUS_PAGE_TITLE },
    macros,
    ingestKeys: { quickstart, demoSource },
    exportKey: await createExportKey(deps, runtime, base),
  };
  return { record, runtime };
}

/**
 * Makes sure the demo exists: seeds a new world, or reuses the saved one and
 * repairs what a previous session changed that the demo needs (a revoked
 * demo key gets a successor; the backend hears about the installation again,
 * with a fresh app token).
 */
export async function ensureDemo(deps: SeedDependencies, saved: DemoRecord | null): Promise<SeedOutcome> {
  if (saved === null) {
    const { record, runtime } = await seedWorld(deps);
    return { record, runtime, kind: 'seeded', repaired: [] };
  }
  const runtime = await deps.createRuntime(saved.installationId);
  // The backend may have been reset while the emulator was not: it learns the installation again either way.
  await deliverLifecycle(runtime, 'installed', saved.admin.accountId);
  await deliverLifecycle(runtime, 'tokenRefresh');
  const settings = unwrap(
    'reading the space settings',
    await invokeSettings(runtime, deps.resolvers, saved, saved.admin.accountId, 'settings.get', {}),
  );
  const repaired: string[] = [];
  const live = (key: DemoIngestKey) =>
    settings.ingestKeys.some((summary) => summary.id === key.id && summary.revokedAt === null);
  const ingestKeys = { ...saved.ingestKeys };
  for (const name of ['quickstart', 'demoSource'] as const) {
    if (live(ingestKeys[name])) continue;
    ingestKeys[name] = await createIngestKey(deps, runtime, saved, ingestKeys[name].source);
    repaired.push(
      `the "${ingestKeys[name].source}" ingest key was revoked or is unknown to the backend: made a new one`,
    );
  }
  let exportKey = saved.exportKey;
  if (
    exportKey === undefined ||
    !settings.export.keys.some((key) => key.id === exportKey!.id && key.revokedAt === null)
  ) {
    exportKey = await createExportKey(deps, runtime, saved);
    repaired.push('the demo export key was revoked or is unknown to the backend: made a new one');
  }
  return { record: { ...saved, ingestKeys, exportKey }, runtime, kind: 'reused', repaired };
}
