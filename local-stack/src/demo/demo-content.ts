import { ariUuid } from '@pagewire/devkit/forge-tokens';
import type { AdfDocument, AdfNode, BlockPayloadInput, PageIngestBodyInput } from '@pagewire/shared';

/**
 * The demo's content: the page a team would build around Pagewire, and what
 * its (pretend) systems keep pushing. Plain data, so tests and the preview
 * can tell what the demo shows.
 */
export const STATUS_BLOCK_KEY = 'service-status';
export const METRICS_BLOCK_KEY = 'service-metrics';
export const STATUS_PAGE_TITLE = 'Service status';
export const RUNBOOK_EXTERNAL_ID = 'checkout-runbook';
export const QUICKSTART_SOURCE = 'quickstart';
export const DEMO_SOURCE = 'demo-source';

/** The macro's manifest key and how Forge names it inside a page (docs/platform-notes.md#forge-macro-nodes-in-adf). */
export const MACRO_MODULE_KEY = 'pagewire-block';
export const FORGE_MACRO_EXTENSION_TYPE = 'com.atlassian.ecosystem';

export interface MacroPlacement {
  readonly localId: string;
  readonly blockKey: string;
}

/**
 * A Forge macro as the Confluence editor stores it: an `extension` node whose
 * `guestParams` is the macro's config (docs/platform-notes.md#forge-macro-nodes-in-adf, from
 * /platform/forge/apis-reference/confluence-api-bridge/getMacroContent).
 */
export function forgeMacroNode(
  app: { appId: string; environmentId: string; environmentType: string },
  placement: MacroPlacement,
): AdfNode {
  const key = `${ariUuid(app.appId)}/${app.environmentId}/static/${MACRO_MODULE_KEY}`;
  return {
    type: 'extension',
    attrs: {
      extensionType: FORGE_MACRO_EXTENSION_TYPE,
      extensionKey: key,
      parameters: {
        localId: placement.localId,
        extensionId: `ari:cloud:ecosystem::extension/${key}`,
        extensionTitle: 'Pagewire block',
        forgeEnvironment: app.environmentType,
        render: 'native',
        guestParams: { blockKey: placement.blockKey },
      },
      localId: placement.localId,
      layout: 'default',
    },
  };
}

function paragraph(text: string): AdfNode {
  return { type: 'paragraph', content: [{ type: 'text', text }] };
}

function heading(level: number, text: string): AdfNode {
  return { type: 'heading', attrs: { level }, content: [{ type: 'text', text }] };
}

export function statusPageDocument(
  app: { appId: string; environmentId: string; environmentType: string },
  status: MacroPlacement,
  metrics: MacroPlacement,
): AdfDocument {
  return {
    version: 1,
    type: 'doc',
    content: [
      paragraph(
        'Live facts about the checkout service, kept true by Pagewire. Both blocks below come from the backend on every view; a demo source updates them every few seconds.',
      ),
      heading(2, 'Right now'),
      forgeMacroNode(app, status),
      heading(2, 'Key numbers'),
      forgeMacroNode(app, metrics),
      paragraph(
        'To show another block, edit a macro (the pencil on its frame) and pick one of this space’s blocks.',
      ),
    ],
  };
}

/** What the printed curl command pushes: a status a reader notices. */
export function quickstartStatusBlock(): BlockPayloadInput {
  return {
    kind: 'status',
    title: 'Checkout service',
    content: {
      status: 'Investigating',
      tone: 'danger',
      summary: 'Pushed with curl: the checkout team is looking into failed payments.',
    },
  };
}

const statusCycle: ReadonlyArray<{
  status: string;
  tone: 'success' | 'warning' | 'danger' | 'info';
  summary: string;
  eu: ['Healthy' | 'Degraded' | 'Deploying', 'success' | 'warning' | 'info'];
}> = [
  {
    status: 'Operational',
    tone: 'success',
    summary: 'All regions are taking orders normally.',
    eu: ['Healthy', 'success'],
  },
  {
    status: 'Deploying',
    tone: 'info',
    summary: 'Release in progress; traffic shifts region by region.',
    eu: ['Deploying', 'info'],
  },
  {
    status: 'Degraded performance',
    tone: 'warning',
    summary: 'Payments in eu-west-1 are slower than usual.',
    eu: ['Degraded', 'warning'],
  },
  {
    status: 'Operational',
    tone: 'success',
    summary: 'Payments are back to normal in every region.',
    eu: ['Healthy', 'success'],
  },
];

/** The demo source's status block at its `tick`-th push. */
export function demoStatusBlock(tick: number): BlockPayloadInput {
  const step = statusCycle[tick % statusCycle.length]!;
  return {
    kind: 'status',
    title: 'Checkout service',
    content: {
      status: step.status,
      tone: step.tone,
      summary: step.summary,
      components: [
        { name: 'eu-west-1', status: step.eu[0], tone: step.eu[1] },
        { name: 'us-east-1', status: 'Healthy', tone: 'success' },
        { name: 'ap-southeast-2', status: 'Healthy', tone: 'success' },
      ],
    },
  };
}

/** Smooth, deterministic numbers (no randomness, so what a test sees is reproducible). */
export function demoMetricsBlock(tick: number): BlockPayloadInput {
  const wave = (period: number, amplitude: number) =>
    Math.round(Math.sin((tick / period) * Math.PI * 2) * amplitude);
  const requests = 1240 + wave(12, 180);
  const previous = 1240 + Math.round(Math.sin(((tick - 1) / 12) * Math.PI * 2) * 180);
  const latency = 182 + wave(8, 24);
  const errors = Math.max(0, 0.4 + wave(6, 30) / 100);
  return {
    kind: 'metrics',
    title: 'Checkout metrics',
    content: {
      metrics: [
        {
          label: 'Orders per minute',
          value: requests,
          delta: requests - previous,
          goodDirection: 'up',
          hint: 'Last 5 minutes',
        },
        { label: 'p95 latency', value: latency, unit: 'ms', goodDirection: 'down', hint: 'Payment API' },
        {
          label: 'Error rate',
          value: Math.round(errors * 100) / 100,
          unit: '%',
          goodDirection: 'down',
        },
        { label: 'Uptime (30 days)', value: 99.95, unit: '%' },
      ],
    },
  };
}

export const RUNBOOK_MARKDOWN = `Published from Markdown by Pagewire's demo source on every \`npm start\`. The page only gets a new version when the Markdown changes, and Pagewire leaves it alone once a person edits it.

## When checkout is degraded

1. Check the **Service status** page for the affected region.
2. Look at the payment provider's status page.
3. If errors stay above 2 % for ten minutes, page the on-call engineer.

## Useful commands

\`\`\`sh
kubectl -n checkout rollout status deploy/payments
kubectl -n checkout logs deploy/payments --since=10m | grep ERROR
\`\`\`

## Contacts

| Role | Who | Hours |
| --- | --- | --- |
| On-call | Checkout rotation | 24/7 |
| Payments team | #payments | 09:00–17:00 CET |

- [x] Runbook reviewed this quarter
- [ ] Add the rollback checklist
`;

export function runbookPage(spaceKey: string): PageIngestBodyInput {
  return {
    spaceKey,
    title: 'Checkout runbook',
    markdown: RUNBOOK_MARKDOWN,
    versionMessage: 'Published by the Pagewire demo source',
  };
}
