import { randomBytes } from 'node:crypto';
import type { DevApiClient, SeededSite } from '@pagewire/devkit';
import type { BlockPayload, InvocationContext, OperationName } from '@pagewire/shared';

/**
 * Calls into the backend shaped exactly like production's: a Forge
 * Invocation Token minted by the emulator (verified by the backend against
 * the emulator's JWKS like any other), the app system token Forge adds for a
 * remote with `auth.appSystemToken`, B3 trace headers, and the envelope the
 * macro resolver builds (forge-app/src/resolvers/backend-client.ts).
 */

/**
 * FITs live 25 s in production; a benchmark that reuses one token for minutes
 * asks the emulator for the longest it mints (an hour). The backend still
 * verifies every token in full on every request: signature, issuer, audience,
 * expiry, claims.
 */
export const LONG_FIT_TTL_SECONDS = 3600;

export interface ForgeCaller {
  readonly site: SeededSite;
  readonly fit: string;
  readonly appToken: string;
}

export async function forgeCallerFor(dev: DevApiClient, site: SeededSite): Promise<ForgeCaller> {
  const { token } = await dev.mintFit({
    installationId: site.installationId,
    ttlSeconds: LONG_FIT_TTL_SECONDS,
  });
  const appToken = await dev.mintAppToken({ installationId: site.installationId, ttlSeconds: 4 * 3600 });
  return { site, fit: token, appToken: appToken.token };
}

export function forgeHeaders(caller: Pick<ForgeCaller, 'fit' | 'appToken'>): Record<string, string> {
  return {
    authorization: `Bearer ${caller.fit}`,
    'x-forge-oauth-system': caller.appToken,
    'x-b3-traceid': randomBytes(16).toString('hex'),
    'x-b3-spanid': randomBytes(8).toString('hex'),
    'content-type': 'application/json',
    accept: 'application/json',
  };
}

/** The context the macro's resolver sends for a macro on a page (the platform context, never the payload). */
export function macroContext(site: SeededSite, contentId: string, localId: string): InvocationContext {
  return {
    cloudId: site.cloudId,
    accountId: site.member.accountId,
    siteUrl: site.siteUrl,
    spaceKey: site.space.key,
    spaceId: site.space.id,
    contentId,
    localId,
  };
}

export function adminContext(site: SeededSite): InvocationContext {
  return {
    cloudId: site.cloudId,
    accountId: site.admin.accountId,
    siteUrl: site.siteUrl,
    spaceKey: site.space.key,
    spaceId: site.space.id,
    isSpaceAdmin: true,
  };
}

export async function callOperation<T = unknown>(
  backendUrl: string,
  caller: ForgeCaller,
  operation: OperationName,
  context: InvocationContext,
  input: unknown,
): Promise<T> {
  const response = await fetch(`${backendUrl}/forge/v1/${operation}`, {
    method: 'POST',
    headers: forgeHeaders(caller),
    body: JSON.stringify({ context, input }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${operation} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { data: T }).data;
}

/**
 * What Forge does when the app is installed (the lifecycle trigger, with the
 * app token) and what a space admin does in the settings page (an ingest key
 * for a source). Resolves to the ingest key.
 */
export async function installAndCreateIngestKey(
  backendUrl: string,
  caller: ForgeCaller,
  source = 'bench',
): Promise<string> {
  const installed = await fetch(`${backendUrl}/forge/v1/lifecycle.installed`, {
    method: 'POST',
    headers: forgeHeaders(caller),
    body: JSON.stringify({ eventType: 'avi:forge:installed:app', context: { cloudId: caller.site.cloudId } }),
  });
  if (installed.status !== 200) {
    throw new Error(`lifecycle.installed answered ${installed.status}: ${await installed.text()}`);
  }
  const created = await callOperation<{ key: string }>(
    backendUrl,
    caller,
    'ingestKeys.create',
    adminContext(caller.site),
    { source },
  );
  return created.key;
}

export async function ingestBlock(
  backendUrl: string,
  ingestKey: string,
  key: string,
  payload: BlockPayload,
): Promise<{ revision: number; changed: boolean }> {
  const response = await fetch(`${backendUrl}/ingest/v1/blocks/${key}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`ingest of block ${key} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as { revision: number; changed: boolean };
}

/** A realistic status block: a headline, a summary and a few components (~600 bytes of JSON). */
export function statusBlock(serial: number): BlockPayload {
  const tones = ['success', 'warning', 'danger'] as const;
  return {
    kind: 'status',
    title: 'Production deploys',
    content: {
      status: serial % 7 === 0 ? 'Degraded' : 'Operational',
      tone: tones[serial % 3]!,
      summary: `Deploy #${serial} rolled out to every region; error budget at ${(serial % 100) + 1}%.`,
      url: 'https://status.example.com/deploys',
      components: ['api', 'web', 'worker', 'scheduler'].map((name, index) => ({
        name,
        status: (serial + index) % 5 === 0 ? 'Degraded' : 'Operational',
        tone: (serial + index) % 5 === 0 ? 'warning' : 'success',
      })),
    },
  } as BlockPayload;
}

/** A metrics block with a counter in it, so every update is a new revision. */
export function metricsBlock(title: string, serial: number): BlockPayload {
  return {
    kind: 'metrics',
    title,
    content: {
      metrics: [
        { label: 'Updates', value: serial },
        { label: 'p95 latency', value: 120 + (serial % 40), unit: 'ms', goodDirection: 'down' },
        { label: 'Error rate', value: (serial % 13) / 10, unit: '%', goodDirection: 'down' },
      ],
    },
  } as BlockPayload;
}
