import { randomBytes } from 'node:crypto';
import type { DevApiClient, SeededSite } from '@pagewire/devkit';
import type { BlockPayload, InvocationContext, OperationName } from '@pagewire/shared';
import type { LoadSpec } from './load-generator';

/**
 * Calls into the backend shaped exactly like production's: a Forge
 * Invocation Token minted by the emulator (verified by the backend against
 * the emulator's JWKS like any other), the app system token Forge adds for a
 * remote with `auth.appSystemToken`, B3 trace headers, and the envelope the
 * macro resolver builds (forge-app/src/resolvers/backend-client.ts).
 */

/**
 * FITs live 25 s in production; tokens minted before a run of minutes ask the
 * emulator for the longest it mints (an hour). The backend verifies every
 * token in full on every request (signature, issuer, audience, expiry,
 * claims) and accepts each `jti` once, so every request carries a token never
 * sent before: one-off calls mint one each (`callOperation`), load runs get a
 * pool per variant (`withFreshFits`).
 */
export const LONG_FIT_TTL_SECONDS = 3600;

export interface ForgeCaller {
  readonly site: SeededSite;
  /** One token, for measurements in this process (the backend would accept it once). */
  readonly fit: string;
  readonly appToken: string;
  /** A token never used before. */
  freshFit(): Promise<string>;
}

export async function forgeCallerFor(dev: DevApiClient, site: SeededSite): Promise<ForgeCaller> {
  const mint = async () =>
    (await dev.mintFit({ installationId: site.installationId, ttlSeconds: LONG_FIT_TTL_SECONDS })).token;
  const appToken = await dev.mintAppToken({ installationId: site.installationId, ttlSeconds: 4 * 3600 });
  return { site, fit: await mint(), appToken: appToken.token, freshFit: mint };
}

/** The emulator mints at most this many per call. */
const FITS_PER_MINT_CALL = 20_000;

/** `count` never-used FITs of one installation. */
export async function mintFreshFits(
  dev: DevApiClient,
  installationId: string,
  count: number,
): Promise<string[]> {
  const tokens: string[] = [];
  while (tokens.length < count) {
    const batch = Math.min(FITS_PER_MINT_CALL, count - tokens.length);
    const minted = await dev.mintFits({ installationId, ttlSeconds: LONG_FIT_TTL_SECONDS, count: batch });
    tokens.push(...minted.tokens);
  }
  return tokens;
}

/**
 * The variants of a load run, each with enough never-used FITs of its own
 * installation for `requests` requests in all, spread evenly (autocannon's
 * connections each cycle through the variants in order; the open-loop sender
 * takes them round robin), plus a margin. Minted before the run, by the
 * emulator, so none of the signing lands in the measured window.
 */
export async function withFreshFits<Variant extends LoadSpec['variants'][number]>(
  dev: DevApiClient,
  variants: readonly Variant[],
  installationOf: (variant: Variant, index: number) => string,
  requests: number,
): Promise<LoadSpec['variants']> {
  const perVariant = Math.ceil((requests * 1.2) / variants.length) + 2;
  const byInstallation = new Map<string, number[]>();
  variants.forEach((variant, index) => {
    const installationId = installationOf(variant, index);
    byInstallation.set(installationId, [...(byInstallation.get(installationId) ?? []), index]);
  });
  const pools: string[][] = variants.map(() => []);
  const entries = [...byInstallation.entries()];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(4, entries.length) }, async () => {
      while (next < entries.length) {
        const [installationId, indexes] = entries[next++]!;
        const tokens = await mintFreshFits(dev, installationId, perVariant * indexes.length);
        indexes.forEach((variantIndex, position) => {
          pools[variantIndex] = tokens.slice(position * perVariant, (position + 1) * perVariant);
        });
      }
    }),
  );
  return variants.map((variant, index) => ({ ...variant, fits: pools[index]! }));
}

export function forgeHeaders(caller: Pick<ForgeCaller, 'fit' | 'appToken'>): Record<string, string> {
  return forgeHeadersWith(caller.fit, caller.appToken);
}

function forgeHeadersWith(fit: string, appToken: string): Record<string, string> {
  return {
    authorization: `Bearer ${fit}`,
    'x-forge-oauth-system': appToken,
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
    headers: forgeHeadersWith(await caller.freshFit(), caller.appToken),
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
    headers: forgeHeadersWith(await caller.freshFit(), caller.appToken),
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
