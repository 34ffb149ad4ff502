import { Router } from 'express';
import type { BackendExtension } from '../backend';
import { readPublishingConfig } from '../config/publishing-config';
import { createPacer, type Pacer } from '../confluence/pacer';
import { createPostgresPacerStore } from '../store/pacer-store-postgres';
import { PUBLISHING_TENANT_TABLES } from '../store/schema';
import { createConfluenceClientResolver } from './confluence-client-resolver';
import { createAutomationRouter } from './http/automation-router';
import { createPublishingRouter } from './http/publishing-router';
import { createJobAutomation } from './job-automation';
import { createPageManagementOperations } from './page-management';
import { createPublishingService, SYSTEM_SOURCE } from './publishing-service';
import { createPageIdentityRepository } from './store/page-identity-repository';

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
 * `GET /ingest/v1/jobs/{id}`) mount next to the core ingest routes, block
 * changes and a switch to the `snapshot` policy queue snapshot refreshes.
 */
export function createPublishingExtension(options: PublishingExtensionOptions): BackendExtension {
  const config = readPublishingConfig(options.env);
  return {
    name: 'publishing',
    tenantTables: PUBLISHING_TENANT_TABLES,
    async setup(context) {
      const logger = context.logger.child({ component: 'publishing' });
      const clientFor = createConfluenceClientResolver({
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
      const service = createPublishingService({
        database: context.database,
        repositories: context.repositories,
        clientFor,
        logger,
        metricsRegistry: context.metrics.registry,
        blockEvents: context.blockEvents,
        config,
        now: context.now,
        markdownRenderer: context.markdownRenderer,
      });
      context.metrics.registerQueue('publishing', async () => {
        const items = await service.queue.countWorkByState();
        return (items.ready ?? 0) + (items.leased ?? 0);
      });
      context.placementEvents.subscribe(async (event) => {
        await service.refreshSnapshotsOfBlock({
          installationId: event.installationId,
          spaceKey: event.spaceKey,
          blockKey: event.blockKey,
          source: SYSTEM_SOURCE,
        });
      });
      context.settingsEvents.subscribe(async (event) => {
        if (event.current.publishingPolicy === 'snapshot' && event.previous.publishingPolicy !== 'snapshot') {
          await service.refreshSnapshotsOfSpace({
            installationId: event.installationId,
            spaceKey: event.spaceKey,
            source: SYSTEM_SOURCE,
          });
        }
      });
      const publishingDb = context.db;
      const automation = createJobAutomation({
        db: publishingDb,
        identities: createPageIdentityRepository(publishingDb),
        installations: context.repositories.installations,
      });
      return {
        router: Router().use(
          createAutomationRouter({ authenticator: context.ingestAuthenticator, automation }),
          createPublishingRouter({ authenticator: context.ingestAuthenticator, service, logger }),
        ),
        // Only once the server listens: a queued job must never keep /healthz from answering.
        start: () => service.start(),
        operations: createPageManagementOperations({
          db: publishingDb,
          service,
          activity: context.repositories.activity,
          now: context.now,
        }),
        close: () => service.stop(),
      };
    },
  };
}
