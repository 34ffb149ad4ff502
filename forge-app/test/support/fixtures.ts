import type { OperationOutput } from '@pagewire/shared';

export const SITE = {
  cloudId: 'a436116f-02ce-4520-8fbb-7301462a1674',
  siteUrl: 'https://acme.atlassian.net',
};
export const ADMIN_ACCOUNT = '557058:f0c3a0b1-admin';
export const VIEWER_ACCOUNT = '557058:9b1c2d3e-viewer';

export const ENG_SPACE = { id: '98306', key: 'ENG' };
export const PAGE_ID = '1310721';
export const MACRO_LOCAL_ID = '7b1c5f0e-2f6a-4b8e-9d1c-3a5e7f9b2c4d';

/** The resolver context Forge builds for the macro on a page in ENG. */
export function macroPlatformContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...SITE,
    localId: MACRO_LOCAL_ID,
    moduleKey: 'pagewire-block',
    environmentType: 'DEVELOPMENT',
    extension: {
      type: 'macro',
      content: { id: PAGE_ID, type: 'page' },
      space: { ...ENG_SPACE },
      isEditing: false,
      config: { blockKey: 'deploy-status' },
    },
    ...overrides,
  };
}

/** The resolver context Forge builds for the space settings page of ENG. */
export function settingsPlatformContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...SITE,
    localId: 'settings-1',
    moduleKey: 'pagewire-space-settings',
    environmentType: 'DEVELOPMENT',
    extension: { type: 'confluence:spaceSettings', space: { ...ENG_SPACE } },
    ...overrides,
  };
}

export const statusBlockOutput: OperationOutput<'blocks.get'> = {
  block: {
    key: 'deploy-status',
    kind: 'status',
    title: 'Production deploys',
    content: {
      status: 'Operational',
      tone: 'success',
      summary: 'All regions deploying normally.',
      url: 'https://status.acme.dev',
      components: [
        { name: 'eu-west-1', status: 'Healthy', tone: 'success' },
        { name: 'us-east-1', status: 'Degraded', tone: 'warning' },
      ],
    },
    revision: 4,
    updatedAt: '2026-11-28T09:57:00Z',
    source: 'ci',
  },
  stale: false,
  staleAfterMinutes: 60,
};

export const adminSpaceOperations = {
  operations: [
    { operation: 'read', targetType: 'space' },
    { operation: 'create', targetType: 'page' },
    { operation: 'administer', targetType: 'space' },
  ],
};

export const viewerSpaceOperations = {
  operations: [
    { operation: 'read', targetType: 'space' },
    { operation: 'create', targetType: 'page' },
  ],
};
