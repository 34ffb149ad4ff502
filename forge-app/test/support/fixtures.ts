import type { OperationOutput } from '@pagewire/shared';

/** A status block as `blocks.get` answers it. */
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
