import type { CoreTables } from './core';
import type { ExportTables } from './export';
import type { PacerTables } from './pacer';
import type { PageAttachmentTables } from './page-attachments';
import type { PageTreeTables } from './page-trees';
import type { PublishingTables } from './publishing';
import type { WebhookTables } from './webhooks';

export * from './core';
export * from './export';
export * from './pacer';
export * from './page-attachments';
export * from './page-trees';
export * from './publishing';
export * from './webhooks';

/**
 * Every table of the backend's one database, as Kysely sees it: what
 * `Database.db` is typed with, so no part of the backend needs a cast to
 * reach its tables. One interface file per area (`./<area>.ts`, declaring
 * `<Area>Tables`), joined here; the migrations that create them are listed in
 * ../migrations/index.ts.
 */
export type Tables = CoreTables &
  PublishingTables &
  ExportTables &
  PacerTables &
  WebhookTables &
  PageTreeTables &
  PageAttachmentTables;
