import type { ReadRestriction } from '../state/emulator-state';
import {
  asRecord,
  type ConfluenceContext,
  canEdit,
  type EmulatedEndpoint,
  NUMERIC_ID,
  visiblePage,
} from './confluence-context';
import { type ConfluenceResult, v1Error } from './confluence-results';

/**
 * v1 content restrictions, the only API that has them
 * (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-restrictions/):
 * `GET /content/{id}/restriction/byOperation/{operationKey}` (classic
 * `read:confluence-content.all` or granular `read:content-details:confluence`)
 * and `PUT /content/{id}/restriction`, which replaces every restriction with
 * the ones sent (classic `write:confluence-content`). Only `read` (view)
 * restrictions change what callers see (content-restrictions.ts); `update`
 * restrictions are stored and reported but gate nothing here.
 */
const READ_RESTRICTIONS = [['read:content-details:confluence'], ['read:confluence-content.all']] as const;
const WRITE_RESTRICTIONS = [['write:confluence-content']] as const;
const OPERATION_KEYS = ['read', 'update'] as const;

function notFound(id: string): ConfluenceResult {
  return v1Error(404, `No content found with id: ContentId{id=${id}}`);
}

function subjects(context: ConfluenceContext, restriction: ReadRestriction | undefined, limit: number) {
  const users = [...(restriction?.accountIds ?? [])];
  const groups = [...(restriction?.groups ?? [])];
  return {
    user: {
      results: users.slice(0, limit).map((accountId) => ({
        type: 'known',
        accountId,
        displayName: context.state.accountsById.get(accountId)?.displayName ?? accountId,
      })),
      start: 0,
      limit,
      size: Math.min(users.length, limit),
      totalSize: users.length,
    },
    group: {
      results: groups.slice(0, limit).map((name) => ({ type: 'group', name, id: name })),
      start: 0,
      limit,
      size: Math.min(groups.length, limit),
    },
  };
}

function getRestrictionsForOperation(context: ConfluenceContext): ConfluenceResult {
  const id = context.params.id!;
  const found = NUMERIC_ID.test(id) ? visiblePage(context, id) : undefined;
  if (!found) return notFound(id);
  const operationKey = context.params.operationKey!;
  if (!(OPERATION_KEYS as readonly string[]).includes(operationKey)) {
    return v1Error(400, `Invalid operation key: ${operationKey}`);
  }
  const rawLimit = context.query.get('limit');
  const limit = rawLimit !== null && /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : 100;
  const restriction = operationKey === 'read' ? found.page.readRestriction : found.page.updateRestriction;
  return {
    status: 200,
    body: {
      operation: operationKey,
      restrictions: subjects(context, restriction, limit),
      _links: { self: `${context.siteWikiBase}${context.wikiPath.slice(5)}`, base: context.siteWikiBase },
    },
    points: 2,
  };
}

/** `[{operation, restrictions: {user: [{type, accountId}], group: [{type, name}]}}]`, or `{results: [...]}`. */
function parseRestrictions(
  body: unknown,
): { ok: true; value: Map<string, ReadRestriction> } | { ok: false; message: string } {
  const record = asRecord(body);
  const list = Array.isArray(body)
    ? body
    : Array.isArray(record?.results)
      ? (record.results as unknown[])
      : null;
  if (list === null) return { ok: false, message: 'The body must be an array of restrictions' };
  const value = new Map<string, ReadRestriction>();
  for (const entry of list) {
    const item = asRecord(entry);
    const operation = item?.operation;
    if (typeof operation !== 'string' || !(OPERATION_KEYS as readonly string[]).includes(operation)) {
      return { ok: false, message: 'Each restriction needs an operation of read or update' };
    }
    const restrictions = asRecord(item?.restrictions) ?? {};
    const users = Array.isArray(restrictions.user) ? restrictions.user : [];
    const groups = Array.isArray(restrictions.group) ? restrictions.group : [];
    const accountIds = users.flatMap((user) => {
      const accountId = asRecord(user)?.accountId;
      return typeof accountId === 'string' ? [accountId] : [];
    });
    const groupNames = groups.flatMap((group) => {
      const name = asRecord(group)?.name;
      return typeof name === 'string' ? [name] : [];
    });
    if (accountIds.length + groupNames.length > 0) {
      value.set(operation, { accountIds: new Set(accountIds), groups: new Set(groupNames) });
    }
  }
  return { ok: true, value };
}

function updateRestrictions(context: ConfluenceContext): ConfluenceResult {
  const id = context.params.id!;
  const found = NUMERIC_ID.test(id) ? visiblePage(context, id) : undefined;
  if (!found || !canEdit(found.space, context.caller)) return notFound(id);
  if (context.body.kind !== 'ok') return v1Error(400, 'A JSON body is required');
  const parsed = parseRestrictions(context.body.value);
  if (!parsed.ok) return v1Error(400, parsed.message);
  found.page.readRestriction = parsed.value.get('read');
  found.page.updateRestriction = parsed.value.get('update');
  return {
    status: 200,
    body: {
      results: OPERATION_KEYS.map((operation) => ({
        operation,
        restrictions: subjects(
          context,
          operation === 'read' ? found.page.readRestriction : found.page.updateRestriction,
          100,
        ),
      })),
      start: 0,
      limit: 100,
      size: OPERATION_KEYS.length,
    },
    points: 1,
  };
}

export const restrictionEndpoints: readonly EmulatedEndpoint[] = [
  {
    operationId: 'getContentRestrictionStatusForOperation',
    method: 'GET',
    path: '/wiki/rest/api/content/:id/restriction/byOperation/:operationKey',
    scopes: READ_RESTRICTIONS,
    handle: getRestrictionsForOperation,
  },
  {
    operationId: 'updateRestrictions',
    method: 'PUT',
    path: '/wiki/rest/api/content/:id/restriction',
    scopes: WRITE_RESTRICTIONS,
    handle: updateRestrictions,
  },
];
