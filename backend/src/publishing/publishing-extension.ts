import { Router } from 'express';
import type { BackendContext, BackendExtension } from '../backend';
import { readPublishingConfig } from '../config/publishing-config';
import { createPacer, type Pacer } from '../confluence/pacer';
import { createPostgresPacerStore } from '../store/pacer-store-postgres';
import {
  PAGE_ATTACHMENT_TENANT_TABLES,
  PAGE_TREE_TENANT_TABLES,
  PUBLISHING_TENANT_TABLES,
} from '../store/schema';
import { createConfluenceClientResolver } from './confluence-client-resolver';
import type { ConfluenceClientResolver } from './confluence-gateway';
import { createAttachmentsRouter } from './http/attachments-router';
import { createAutomationRouter } from './http/automation-router';
import { createPageTreeRouter } from './http/page-tree-router';
import { createPublishingRouter } from './http/publishing-router';
import { createJobAutomation } from './job-automation';
import { createPageManagementOperations } from './page-management';
import { createPageTreeListing } from './page-tree-listing';
import { createPublishingService } from './publishing-service';
import { createPageAttachmentRepository } from './store/page-attachment-repository';
import { createPageIdentityRepository } from './store/page-identity-repository';
import { findRelease } from './store/page-release-repository';
import { createPageTreeRepository } from './store/page-tree-repository';

export interface PublishingExtensionOptions {
  /** The same env record the backend's config is read from (`PAGEWIRE_PUBLISH_*` knobs). */
  env: Readonly<Record<string, string | undefined>>;
  /** Shares one pacer with other Confluence callers of the process; a private one otherwise. */
  pacer?: Pacer;
  fetch?: typeof fetch;
}

/**
 * The publishing engine as a backend extension (docs/PUBLISHING.md): its
 * tables are in store/ (migrations 01xx) like every other, its worker starts with the
 * backend and drains on shutdown, its routes (`PUT /ingest/v1/pages/{id}`,
 * `GET /ingest/v1/jobs/{id}`) mount next to the core ingest routes, and it
 * carries out the core's snapshot decisions (its SnapshotScheduler: a new
 * placement, a changed block, a switch to the `snapshot` policy).
 */
export function createPublishingExtension(options: PublishingExtensionOptions): BackendExtension {
  const config = readPublishingConfig(options.env);
  return {
    name: 'publishing',
    tenantTables: [...PUBLISHING_TENANT_TABLES, ...PAGE_TREE_TENANT_TABLES, ...PAGE_ATTACHMENT_TENANT_TABLES],
    async setup(context) {
      const logger = context.logger.child({ component: 'publishing' });
      const clientFor = clientResolverFor(context, options);
      const service = createPublishingService({
        database: context.database,
        repositories: context.repositories,
        clientFor,
        logger,
        metricsRegistry: context.metrics.registry,
        config,
        now: context.now,
        markdownRenderer: context.markdownRenderer,
        adfValidator: context.adfValidator,
      });
      context.metrics.registerQueue('publishing', async () => {
        const items = await service.queue.countWorkByState();
        return (items.ready ?? 0) + (items.leased ?? 0);
      });
      const publishingDb = context.db;
      const identities = createPageIdentityRepository(publishingDb);
      const trees = createPageTreeRepository(publishingDb);
      const automation = createJobAutomation({
        db: publishingDb,
        identities,
        installations: context.repositories.installations,
      });
      const releasedAt = async (installationId: string, spaceKey: string, externalId: string) =>
        (await findRelease(publishingDb, installationId, spaceKey, externalId))?.released_at ?? null;
      return {
        router: Router().use(
          createAutomationRouter({ authenticator: context.ingestAuthenticator, automation }),
          createPageTreeRouter({
            authenticator: context.ingestAuthenticator,
            service,
            listTreePages: createPageTreeListing({
              trees,
              identities,
              installations: context.repositories.installations,
              automation,
            }),
            identities,
            trees,
            releasedAt,
          }),
          createPublishingRouter({
            authenticator: context.ingestAuthenticator,
            service,
            logger,
            releasedAt,
          }),
          createAttachmentsRouter({
            authenticator: context.ingestAuthenticator,
            attachments: createPageAttachmentRepository(publishingDb),
            now: context.now,
            releasedAt,
          }),
        ),
        // The core's use cases decide when a snapshot is due; the engine queues and writes it.
        snapshots: service.snapshots,
        // Only once the server listens: a queued job must never keep /healthz from answering.
        start: () => service.start(),
        operations: createPageManagementOperations({
          db: publishingDb,
          service,
          activity: context.repositories.activity,
          clientFor,
          now: context.now,
        }),
        close: () => service.stop(),
      };
    },
  };
}

/** The engine's Confluence clients: credentials read once per job, a credential per endpoint (the credential selector), paced per credential. */
function clientResolverFor(
  context: BackendContext,
  options: PublishingExtensionOptions,
): ConfluenceClientResolver {
  return createConfluenceClientResolver({
    sources: context.credentialSources,
    mode: context.config.mode,
    now: context.now,
    installations: context.repositories.installations,
    allowedApiBase: context.config.atlassianApiBase.href.replace(/\/+$/, ''),
    // Replicas on PostgreSQL draw on one rate-limit budget through the shared
    // pacer store; alone (SQLite) the in-memory one is the same thing, cheaper.
    pacer:
      options.pacer ??
      (context.database.dialect === 'postgres'
        ? createPacer({ store: createPostgresPacerStore(context.db) })
        : createPacer()),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    onCredentialRefused: async (credential) => {
      if (credential.kind === 'app-token') {
        await context.credentialSources.refuseAppToken?.(credential.installationId, credential.token);
      }
    },
  });
}
