import { declareEmulator } from '@pagewire/devkit/testing';
import { FORGE_APP_SCOPES } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { createConfluenceClient } from '../client';
import { createAppTokenCredential } from '../credential';
import { getSpaceByKey } from './spaces';

const env = declareEmulator();

/**
 * Legacy personal spaces are keyed `~<username>`
 * (https://confluence.atlassian.com/spaces/CONF53/pages/411108753/Creating+a+Space:
 * "Personal spaces use your username as the space key"; docs/platform-notes.md#space-keys).
 */
describe('space keys Confluence returns for personal spaces', () => {
  it.each(['~john.smith', '~jsmith@example.com'])(
    'resolves the personal space %s by its key',
    async (key) => {
      const site = await env.dev.seedSite({ spaceKey: key });
      const minted = await env.dev.mintAppToken({ installationId: site.installationId });
      const client = createConfluenceClient({
        baseUrl: site.gatewayUrl,
        allowedApiBase: env.emulator.url,
        credential: createAppTokenCredential({
          installationId: site.installationId,
          token: minted.token,
          expiresAt: new Date(minted.expiresAt),
          scopes: FORGE_APP_SCOPES,
        }),
      });
      const space = await getSpaceByKey(client, { key });
      expect(space).toMatchObject({ id: site.space.id, key, type: 'personal' });
    },
  );
});
