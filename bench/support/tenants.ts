import { type DevApiClient, PAGEWIRE_APP_ID, PAGEWIRE_APP_SCOPES } from '@pagewire/devkit';
import { LONG_FIT_TTL_SECONDS } from './forge-calls';
import type { SeedTenant } from './seed-state';

/** A tenant the emulator knows: a site, an installation of Pagewire on it and tokens to call as it. */
export interface EmulatedTenant extends SeedTenant {
  fit: string;
  appToken: string;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Creates `count` sites, each with an installation of Pagewire, and mints a
 * long-lived FIT and an app token for each: many real tenants, so the backend
 * verifies tokens of many installations exactly as in production.
 */
export async function createTenants(
  dev: DevApiClient,
  count: number,
  prefix: string,
): Promise<EmulatedTenant[]> {
  return mapLimited(
    Array.from({ length: count }, (_, index) => index),
    8,
    async (index) => {
      const site = await dev.createSite({ name: `${prefix}-${index}` });
      const installation = await dev.createInstallation({
        cloudId: site.cloudId,
        appId: PAGEWIRE_APP_ID,
        scopes: [...PAGEWIRE_APP_SCOPES],
      });
      const { token } = await dev.mintFit({
        installationId: installation.installationId,
        ttlSeconds: LONG_FIT_TTL_SECONDS,
      });
      const appToken = await dev.mintAppToken({
        installationId: installation.installationId,
        ttlSeconds: 4 * 3600,
      });
      return {
        installationId: installation.installationId,
        cloudId: site.cloudId,
        apiBaseUrl: dev.gatewayUrl(site.cloudId),
        fit: token,
        appToken: appToken.token,
      };
    },
  );
}
