import type { Space } from '../state/emulator-state';
import {
  type ConfluenceContext,
  canAdminister,
  type EmulatedEndpoint,
  queryList,
  visibleSpace,
} from './confluence-context';
import { ok, v2BadRequest, v2NotFound } from './confluence-results';
import { renderSpace, spaceTypeOf } from './page-views';
import { listPage, parseWindow } from './pagination';

const READ_SPACE = [['read:space:confluence']] as const;

const SPACE_SORTS: Record<string, (a: Space, b: Space) => number> = {
  id: (a, b) => Number(a.id) - Number(b.id),
  '-id': (a, b) => Number(b.id) - Number(a.id),
  key: (a, b) => a.key.localeCompare(b.key),
  '-key': (a, b) => b.key.localeCompare(a.key),
  name: (a, b) => a.name.localeCompare(b.name),
  '-name': (a, b) => b.name.localeCompare(a.name),
};

function getSpaces(context: ConfluenceContext) {
  const window = parseWindow(context.query);
  if (!window.ok) return window.error;
  const sortKey = context.query.get('sort') ?? 'id';
  const sort = SPACE_SORTS[sortKey];
  if (!sort) return v2BadRequest('Invalid value for parameter sort', sortKey);
  const ids = queryList(context.query, 'ids');
  const keys = queryList(context.query, 'keys');
  if ((ids?.length ?? 0) > 250 || (keys?.length ?? 0) > 250) {
    return v2BadRequest('Too many values', 'ids and keys take at most 250 values');
  }
  const type = context.query.get('type');
  const status = context.query.get('status');
  // Every emulated space is current; a `~` key makes it personal.
  const spaces = [...context.site.spaces.values()]
    .filter((space) => visibleSpace(context, space.id))
    .filter((space) => !ids || ids.includes(space.id))
    .filter((space) => !keys || keys.includes(space.key))
    .filter((space) => type === null || type === spaceTypeOf(space))
    .filter(() => status === null || status === 'current')
    .sort(sort);
  return listPage(spaces, window, context, (space) => renderSpace(space));
}

function getSpaceById(context: ConfluenceContext) {
  const space = visibleSpace(context, context.params.id!);
  if (!space) return v2NotFound();
  return ok(renderSpace(space, context.siteWikiBase), 2);
}

/**
 * `PermittedOperationsResponse` for the caller: everyone who can view a space
 * may create content in it; only admins get `administer` on `space`, which is
 * what Pagewire's resolver checks as the user (docs/platform-notes.md#resolver-context-and-payload-trust).
 */
function getSpaceOperations(context: ConfluenceContext) {
  const space = visibleSpace(context, context.params.id!);
  if (!space) return v2NotFound();
  const operations = [
    { operation: 'read', targetType: 'space' },
    { operation: 'create', targetType: 'page' },
    { operation: 'create', targetType: 'blogpost' },
    { operation: 'create', targetType: 'comment' },
    { operation: 'create', targetType: 'attachment' },
    { operation: 'export', targetType: 'space' },
  ];
  if (canAdminister(space, context.caller)) {
    operations.push(
      { operation: 'administer', targetType: 'space' },
      { operation: 'archive', targetType: 'page' },
      { operation: 'restrict_content', targetType: 'space' },
      { operation: 'delete', targetType: 'space' },
    );
  }
  // Permission objects cost 2 points each on top of the base point.
  return ok({ operations }, 3);
}

export const spaceEndpoints: readonly EmulatedEndpoint[] = [
  {
    operationId: 'getSpaces',
    method: 'GET',
    path: '/wiki/api/v2/spaces',
    scopes: READ_SPACE,
    handle: getSpaces,
  },
  {
    operationId: 'getSpaceById',
    method: 'GET',
    path: '/wiki/api/v2/spaces/:id',
    scopes: READ_SPACE,
    handle: getSpaceById,
  },
  {
    operationId: 'getSpaceOperations',
    method: 'GET',
    path: '/wiki/api/v2/spaces/:id/operations',
    scopes: READ_SPACE,
    handle: getSpaceOperations,
  },
];
