import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { blockKeySchema, INGEST_KEY_PATTERN, numericIdSchema, spaceKeySchema } from '@pagewire/shared';
import { z } from 'zod';

/**
 * What the demo seed made, kept in `data/local-stack.json` next to the
 * emulator's saved world so the next start reuses it instead of seeding
 * again. It holds the two demo ingest keys in plain text: the backend only
 * keeps their hashes and shows a key once, but the local stack must print
 * the quickstart key on every start. `data/` is git-ignored and local-only,
 * like the development master key the backend writes there.
 */
const accountSchema = z.object({ accountId: z.string(), email: z.email(), displayName: z.string() });

const ingestKeySchema = z.object({
  id: z.string(),
  source: z.string(),
  key: z.string().regex(INGEST_KEY_PATTERN),
});

export const demoRecordSchema = z.object({
  format: z.literal(1),
  site: z.object({ cloudId: z.string(), name: z.string() }),
  admin: accountSchema,
  member: accountSchema,
  /** The account a space admin would create a scoped API token for. */
  serviceAccount: accountSchema,
  space: z.object({ id: numericIdSchema, key: spaceKeySchema, name: z.string() }),
  installationId: z.string(),
  statusPage: z.object({ id: numericIdSchema, title: z.string() }),
  macros: z.array(z.object({ localId: z.string(), blockKey: blockKeySchema })).min(1),
  ingestKeys: z.object({ quickstart: ingestKeySchema, demoSource: ingestKeySchema }),
  /** The demo consumer's export key (docs/EXPORT.md); absent in records from before the export. */
  exportKey: z.object({ id: z.string(), consumer: z.string(), key: z.string() }).optional(),
});

export type DemoRecord = z.infer<typeof demoRecordSchema>;
export type DemoAccount = z.infer<typeof accountSchema>;
export type DemoIngestKey = z.infer<typeof ingestKeySchema>;

export function readDemoRecord(path: string): DemoRecord | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = demoRecordSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through: an unreadable record is set aside like a bad one.
  }
  renameSync(path, `${path}.unreadable-${Date.now()}`);
  return null;
}

export function writeDemoRecord(path: string, record: DemoRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
