import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type Account,
  type ApiToken,
  createEmulatorState,
  type EmulatorState,
  type Installation,
  type Page,
  type Site,
  type Space,
} from '@pagewire/devkit/emulator-state';
import { z } from 'zod';

/**
 * The emulator keeps Confluence in memory; the backend keeps its SQLite file.
 * For a second `npm start` to pick up where the first one stopped, both must
 * survive: the backend's tenant key is the installation id the emulator made
 * up, its blocks sit in the space the emulator made up, and its placements
 * point at the emulator's page ids. So the local stack writes the emulator's
 * world (accounts, sites, spaces, pages with every version, labels, content
 * properties, API tokens, installations) to `data/` and reads it back on the
 * next start.
 *
 * Not kept, on purpose: app tokens (they live an hour at most and Forge hands
 * the backend a fresh one with the next invocation), Forge signing keys (the
 * backend restarts with the emulator and fetches the new JWKS), rate-limit
 * counters, faults and the request log (they describe one run).
 */
export const EMULATOR_STATE_FORMAT = 1;

const isoDate = z.iso.datetime({ offset: true });

const bodySchema = z
  .object({ representation: z.enum(['storage', 'atlas_doc_format']), value: z.string() })
  .nullable();

const persistedStateSchema = z.object({
  format: z.literal(EMULATOR_STATE_FORMAT),
  lastId: z.number().int().nonnegative(),
  accounts: z.array(z.object({ accountId: z.string(), email: z.string(), displayName: z.string() })),
  sites: z.array(
    z.object({
      cloudId: z.string(),
      name: z.string(),
      createdAt: isoDate,
      accountIds: z.array(z.string()),
      spaces: z.array(
        z.object({
          id: z.string(),
          key: z.string(),
          name: z.string(),
          authorId: z.string(),
          createdAt: isoDate,
          homepageId: z.string().nullable(),
          admins: z.array(z.string()),
          members: z.array(z.string()),
        }),
      ),
      pages: z.array(
        z.object({
          id: z.string(),
          contentType: z.literal('blogpost').optional(),
          spaceId: z.string(),
          status: z.enum(['current', 'trashed', 'deleted', 'draft', 'archived']),
          parentId: z.string().nullable(),
          authorId: z.string(),
          ownerId: z.string(),
          createdAt: isoDate,
          versions: z
            .array(
              z.object({
                number: z.number().int().positive(),
                title: z.string(),
                body: bodySchema,
                message: z.string(),
                minorEdit: z.boolean(),
                authorId: z.string(),
                createdAt: isoDate,
              }),
            )
            .min(1),
          labels: z.array(
            z.object({ id: z.string(), name: z.string(), prefix: z.enum(['global', 'my', 'team']) }),
          ),
          properties: z.array(
            z.object({
              id: z.string(),
              key: z.string(),
              value: z.unknown(),
              version: z.object({
                number: z.number().int().positive(),
                message: z.string(),
                minorEdit: z.boolean(),
                authorId: z.string(),
                createdAt: isoDate,
              }),
            }),
          ),
        }),
      ),
    }),
  ),
  apiTokens: z.array(
    z.object({
      id: z.string(),
      token: z.string(),
      email: z.string(),
      scopes: z.array(z.string()).nullable(),
      expiresAt: isoDate.nullable(),
      revoked: z.boolean(),
    }),
  ),
  installations: z.array(
    z.object({
      installationId: z.string(),
      cloudId: z.string(),
      appId: z.string(),
      scopes: z.array(z.string()),
      environmentType: z.enum(['DEVELOPMENT', 'STAGING', 'PRODUCTION']),
      environmentId: z.string(),
      appVersion: z.string(),
      appAccountId: z.string(),
    }),
  ),
});

export type PersistedEmulatorState = z.infer<typeof persistedStateSchema>;

function numericId(id: string): number {
  const value = Number(id);
  return Number.isSafeInteger(value) ? value : 0;
}

export function serializeEmulatorState(state: EmulatorState): PersistedEmulatorState {
  let lastId = 0;
  const seen = (id: string) => {
    lastId = Math.max(lastId, numericId(id));
    return id;
  };
  const sites = [...state.sitesByCloudId.values()].map((site) => ({
    cloudId: site.cloudId,
    name: site.name,
    createdAt: site.createdAt.toISOString(),
    accountIds: [...site.accountIds],
    spaces: [...site.spaces.values()].map((space) => ({
      id: seen(space.id),
      key: space.key,
      name: space.name,
      authorId: space.authorId,
      createdAt: space.createdAt.toISOString(),
      homepageId: space.homepageId,
      admins: [...space.admins],
      members: [...space.members],
    })),
    pages: [...site.pages.values()].map((page) => ({
      id: seen(page.id),
      ...(page.contentType ? { contentType: page.contentType } : {}),
      spaceId: page.spaceId,
      status: page.status,
      parentId: page.parentId,
      authorId: page.authorId,
      ownerId: page.ownerId,
      createdAt: page.createdAt.toISOString(),
      versions: page.versions.map((version) => ({
        number: version.number,
        title: version.title,
        body: version.body ? { ...version.body } : null,
        message: version.message,
        minorEdit: version.minorEdit,
        authorId: version.authorId,
        createdAt: version.createdAt.toISOString(),
      })),
      labels: [...page.labels.values()].map((label) => ({
        id: seen(label.id),
        name: label.name,
        prefix: label.prefix,
      })),
      properties: [...page.properties.values()].map((property) => ({
        id: seen(property.id),
        key: property.key,
        value: property.value,
        version: { ...property.version, createdAt: property.version.createdAt.toISOString() },
      })),
    })),
  }));
  return {
    format: EMULATOR_STATE_FORMAT,
    lastId,
    accounts: [...state.accountsById.values()].map((account) => ({ ...account })),
    sites,
    apiTokens: [...state.apiTokens.values()].map((token) => ({
      id: token.id,
      token: token.token,
      email: token.email,
      scopes: token.scopes === null ? null : [...token.scopes],
      expiresAt: token.expiresAt?.toISOString() ?? null,
      revoked: token.revoked,
    })),
    installations: [...state.installations.values()].map((installation) => ({
      ...installation,
      scopes: [...installation.scopes],
    })),
  };
}

/** A fresh emulator state holding everything `persisted` describes. */
export function restoreEmulatorState(persisted: PersistedEmulatorState): EmulatorState {
  const state = createEmulatorState();
  for (const entry of persisted.accounts) {
    const account: Account = { ...entry };
    state.accountsById.set(account.accountId, account);
    state.accountsByEmail.set(account.email.toLowerCase(), account);
  }
  for (const entry of persisted.sites) {
    const site: Site = {
      cloudId: entry.cloudId,
      name: entry.name,
      createdAt: new Date(entry.createdAt),
      accountIds: new Set(entry.accountIds),
      spaces: new Map(),
      spaceIdsByKey: new Map(),
      pages: new Map(),
    };
    for (const spaceEntry of entry.spaces) {
      const space: Space = {
        ...spaceEntry,
        cloudId: site.cloudId,
        createdAt: new Date(spaceEntry.createdAt),
        admins: new Set(spaceEntry.admins),
        members: new Set(spaceEntry.members),
      };
      site.spaces.set(space.id, space);
      site.spaceIdsByKey.set(space.key, space.id);
    }
    for (const pageEntry of entry.pages) {
      const page: Page = {
        id: pageEntry.id,
        ...(pageEntry.contentType ? { contentType: pageEntry.contentType } : {}),
        cloudId: site.cloudId,
        spaceId: pageEntry.spaceId,
        status: pageEntry.status,
        parentId: pageEntry.parentId,
        authorId: pageEntry.authorId,
        ownerId: pageEntry.ownerId,
        createdAt: new Date(pageEntry.createdAt),
        versions: pageEntry.versions.map((version) => ({
          ...version,
          createdAt: new Date(version.createdAt),
        })),
        labels: new Map(pageEntry.labels.map((label) => [label.name, { ...label }])),
        properties: new Map(
          pageEntry.properties.map((property) => [
            property.id,
            {
              ...property,
              version: { ...property.version, createdAt: new Date(property.version.createdAt) },
            },
          ]),
        ),
      };
      site.pages.set(page.id, page);
      state.pagesById.set(page.id, page);
    }
    state.sitesByCloudId.set(site.cloudId, site);
    state.sitesByName.set(site.name, site);
  }
  for (const entry of persisted.apiTokens) {
    const token: ApiToken = {
      ...entry,
      scopes: entry.scopes === null ? null : new Set(entry.scopes),
      expiresAt: entry.expiresAt === null ? null : new Date(entry.expiresAt),
    };
    state.apiTokens.set(token.token, token);
  }
  for (const entry of persisted.installations) {
    const installation: Installation = { ...entry, scopes: new Set(entry.scopes) };
    state.installations.set(installation.installationId, installation);
  }
  // Ids are handed out by a counter the state keeps to itself: move it past
  // every restored id so new pages, labels and properties never reuse one.
  while (numericId(state.nextId()) < persisted.lastId) {
    // advancing
  }
  return state;
}

export type LoadedEmulatorState =
  | { kind: 'restored'; state: EmulatorState; sites: number; pages: number }
  | { kind: 'fresh'; state: EmulatorState }
  | { kind: 'unreadable'; state: EmulatorState; movedTo: string; reason: string };

/**
 * Reads the saved world, or starts an empty one. A file that cannot be read
 * is moved aside (never deleted) and the stack starts fresh, saying so.
 */
export function loadEmulatorState(path: string): LoadedEmulatorState {
  if (!existsSync(path)) return { kind: 'fresh', state: createEmulatorState() };
  let reason: string;
  try {
    const parsed = persistedStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) {
      const state = restoreEmulatorState(parsed.data);
      return {
        kind: 'restored',
        state,
        sites: parsed.data.sites.length,
        pages: parsed.data.sites.reduce((count, site) => count + site.pages.length, 0),
      };
    }
    reason = `it does not have the expected shape (${parsed.error.issues[0]?.message ?? 'unknown'})`;
  } catch (error) {
    reason = error instanceof SyntaxError ? 'it is not valid JSON' : 'it could not be read';
  }
  const movedTo = `${path}.unreadable-${Date.now()}`;
  renameSync(path, movedTo);
  return { kind: 'unreadable', state: createEmulatorState(), movedTo, reason };
}

/** Writes atomically (temp file + rename), so a crash mid-write never leaves half a file. */
export function saveEmulatorState(path: string, state: EmulatorState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(serializeEmulatorState(state))}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
