/**
 * Tables of the webhooks extension, typed for Kysely, with the core schema's
 * portable conventions (../../store/schema.ts): ISO-8601 UTC text timestamps
 * with milliseconds, JSON as text.
 */

/** One subscription of a space: where to send which events, and how that has gone. */
export interface WebhookSubscriptionsTable {
  id: string;
  installation_id: string;
  space_key: string;
  url: string;
  /** JSON array of webhook event types. */
  events_json: string;
  /** The `whsec_` secret, sealed with the secret box: signing needs it back. */
  secret_sealed: string;
  /** `active` | `paused`. */
  state: string;
  created_at: string;
  created_by: string;
  /** When deliveries started failing without a success since; null while healthy. */
  failing_since: string | null;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error_detail: string | null;
  paused_at: string | null;
}

/**
 * One event for one subscription: the message a receiver dedupes by (`id` is
 * the `webhook-id`, the same on every attempt). `order_key` (the page) with
 * `seq` orders deliveries: a subscription's deliveries for one page go out one
 * after the other, oldest first.
 */
export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  installation_id: string;
  order_key: string;
  seq: string;
  type: string;
  /** The exact bytes that are signed and sent. */
  body: string;
  /** `pending` | `leased` | `delivered` | `dead`. */
  state: string;
  attempts: number;
  available_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** A Confluence event as Forge delivered it, kept until it has been turned into deliveries. */
export interface WebhookInboundEventsTable {
  id: string;
  installation_id: string;
  /** The content id: events for one page are worked on one at a time, in arrival order. */
  content_id: string;
  payload_json: string;
  /**
   * The mirror's answer for this event (`MirroredPageChange` as JSON), saved
   * before its deliveries are written: the mirror is already updated by then,
   * so a worker that dies in between must not ask it again (it would answer
   * "unchanged" and the change would never be announced).
   */
  change_json: string | null;
  received_at: string;
  /** `pending` | `leased`. Done events are deleted. */
  state: string;
  attempts: number;
  available_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
}

export interface WebhookTables {
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_inbound_events: WebhookInboundEventsTable;
}

/** The webhook tables holding an installation's rows, emptied by the uninstall purge. */
export const WEBHOOK_TENANT_TABLES = [
  'webhook_subscriptions',
  'webhook_deliveries',
  'webhook_inbound_events',
] as const satisfies readonly (keyof WebhookTables)[];
