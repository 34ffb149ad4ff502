import type { ConfluenceClient } from '../client';
import { NotFoundError } from '../errors';
import { collect, paginate } from '../pagination';
import {
  multiEntityResultSchema,
  type PermittedOperation,
  permittedOperationsSchema,
  type Space,
  spaceSchema,
} from '../schemas';
import { idSegment } from './ids';

/**
 * v2 addresses spaces by numeric id; keys (what people and macros know) are
 * resolved with `GET /spaces?keys=` (docs/platform-notes.md#spaces-by-key).
 */

export async function getSpacesByKeys(
  client: ConfluenceClient,
  params: { keys: readonly string[]; signal?: AbortSignal },
): Promise<Space[]> {
  if (params.keys.length === 0) return [];
  return collect(
    paginate(client, {
      endpoint: 'space.read',
      method: 'GET',
      path: '/wiki/api/v2/spaces',
      query: { keys: params.keys, limit: 250 },
      schema: multiEntityResultSchema(spaceSchema),
      resource: `space ${params.keys.join(', ')}`,
      signal: params.signal,
    }),
  );
}

/** The space with this key; NotFoundError when Confluence lists none (missing, or not visible). */
export async function getSpaceByKey(
  client: ConfluenceClient,
  params: { key: string; signal?: AbortSignal },
): Promise<Space> {
  const spaces = await getSpacesByKeys(client, { keys: [params.key], signal: params.signal });
  const space = spaces.find((candidate) => candidate.key === params.key);
  if (!space) {
    throw new NotFoundError(
      `Confluence has no space ${params.key}, or ${describeCaller(client)} may not see it. Check the key and that the account can view the space.`,
    );
  }
  return space;
}

/**
 * What the calling credential may do in the space
 * (`GET /wiki/api/v2/spaces/{id}/operations`). For a user's token this is the
 * space-admin check; for the app token it is what the app may do.
 */
export async function getSpaceOperations(
  client: ConfluenceClient,
  params: { spaceId: string; signal?: AbortSignal },
): Promise<PermittedOperation[]> {
  const response = await client.send({
    endpoint: 'space.operations',
    method: 'GET',
    path: `/wiki/api/v2/spaces/${idSegment(params.spaceId, 'space')}/operations`,
    schema: permittedOperationsSchema,
    resource: `the permissions in space ${params.spaceId}`,
    signal: params.signal,
  });
  return response.data.operations;
}

/** Whether the permitted operations include administering the space. */
export function canAdministerSpace(operations: readonly PermittedOperation[]): boolean {
  return operations.some(
    (entry) => entry.operation.toLowerCase() === 'administer' && entry.targetType.toLowerCase() === 'space',
  );
}

function describeCaller(client: ConfluenceClient): string {
  return client.credential.kind === 'app-token'
    ? 'the Pagewire app'
    : `the account ${client.credential.email}`;
}
