import type { Kysely } from 'kysely';

/**
 * Signed webhooks out and Confluence's content events in (docs/WEBHOOKS.md):
 * subscriptions, deliveries and the durable intake of events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createSubscriptionTable(db);
  await createDeliveryTable(db);
  await createInboundEventTable(db);
}

/** The webhook subscriptions of each space. */
async function createSubscriptionTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('url', 'text', (column) => column.notNull())
    .addColumn('events_json', 'text', (column) => column.notNull())
    .addColumn('secret_sealed', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('failing_since', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('last_error_detail', 'text')
    .addColumn('paused_at', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_space')
    .on('webhook_subscriptions')
    .columns(['installation_id', 'space_key'])
    .execute();
}

/** One delivery per event and subscription, with its attempts. */
async function createDeliveryTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('subscription_id', 'text', (column) => column.notNull())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('order_key', 'text', (column) => column.notNull())
    .addColumn('seq', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('body', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('available_at', 'text', (column) => column.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  // What the worker scans for due work, and the per-page order it keeps.
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['state', 'available_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_order')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'order_key', 'state', 'seq'])
    .execute();
}

/** The durable intake of Confluence's content events. */
async function createInboundEventTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_inbound_events')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('content_id', 'text', (column) => column.notNull())
    .addColumn('payload_json', 'text', (column) => column.notNull())
    .addColumn('change_json', 'text')
    .addColumn('received_at', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('available_at', 'text', (column) => column.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_inbound_events_due')
    .on('webhook_inbound_events')
    .columns(['state', 'available_at'])
    .execute();
  await db.schema
    .createIndex('webhook_inbound_events_content')
    .on('webhook_inbound_events')
    .columns(['installation_id', 'content_id', 'id'])
    .execute();
}
