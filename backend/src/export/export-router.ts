import {
  type ExportPageList,
  exportPageBodyQuerySchema,
  exportPageListQuerySchema,
  fieldErrorsFrom,
} from '@pagewire/shared';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { z } from 'zod';
import { ProblemError } from '../http/problem-error';
import { requestState } from '../http/request-state';
import { decodeCursor, encodeCursor, InvalidCursorError } from './export-cursor';
import { type ExportAuthenticator, ExportKeyRejected, type ExportPrincipal } from './export-key';
import type { ExportService } from './export-service';
import type { MirrorRepository } from './store/mirror-repository';

const PAGES_ROUTE = '/export/v1/pages';
const PAGE_ROUTE = '/export/v1/pages/:pageId';
const SYNC_ROUTE = '/export/v1/sync';
/** Confluence content ids are Longs: digits only. */
const PAGE_ID = /^\d{1,19}$/;

export interface ExportRouterDeps {
  authenticator: ExportAuthenticator;
  service: ExportService;
  mirror: MirrorRepository;
}

function principalOf(response: Response): ExportPrincipal {
  return (response.locals as { exportPrincipal?: ExportPrincipal }).exportPrincipal!;
}

function parseQuery<Schema extends z.ZodType>(schema: Schema, request: Request): z.output<Schema> {
  const parsed = schema.safeParse(request.query);
  if (parsed.success) return parsed.data;
  const errors = fieldErrorsFrom(parsed.error);
  const first = errors[0];
  throw new ProblemError(
    'validation_failed',
    first === undefined
      ? 'The query does not match the expected shape.'
      : `${first.path || 'query'}: ${first.message}`,
    { errors },
  );
}

/**
 * The consumer API (docs/EXPORT.md): `GET /export/v1/pages` (the change
 * feed), `GET /export/v1/pages/{pageId}` (one body), `GET|POST /export/v1/sync`.
 * The export key fixes the installation and the space; nothing here takes
 * either from the request.
 */
export function createExportRouter(deps: ExportRouterDeps): Router {
  const router = Router();

  const authenticate =
    (route: string): RequestHandler =>
    async (request, response, next) => {
      const state = requestState(response);
      state.route = route;
      try {
        const principal = await deps.authenticator.authenticate(request.get('authorization'));
        state.installationId = principal.installationId;
        (response.locals as { exportPrincipal?: ExportPrincipal }).exportPrincipal = principal;
      } catch (error) {
        if (error instanceof ExportKeyRejected) {
          response.setHeader('www-authenticate', 'Bearer realm="pagewire-export"');
          throw new ProblemError('invalid_export_key', `The export key was refused: ${error.message}.`);
        }
        throw error;
      }
      next();
    };

  router.get(PAGES_ROUTE, authenticate(PAGES_ROUTE), async (request, response) => {
    const principal = principalOf(response);
    const query = parseQuery(exportPageListQuerySchema, request);
    let afterSeq: number | null = null;
    if (query.cursor !== undefined) {
      try {
        afterSeq = decodeCursor(query.cursor);
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new ProblemError(
            'invalid_cursor',
            `${error.message} Pass the nextCursor of a previous answer.`,
            {
              errors: [{ path: '/cursor', message: 'is not a cursor from this API' }],
            },
          );
        }
        throw error;
      }
    }
    const space = await deps.service.requireEnabled(principal);
    // One more than asked tells whether another page follows.
    const rows = await deps.mirror.feed(principal, {
      afterSeq,
      since: query.updatedSince === undefined ? null : new Date(query.updatedSince).toISOString(),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const body: ExportPageList = {
      items: page.map((row) => deps.service.toItem(row, space.includeRestricted)),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.changeSeq) : null,
    };
    response.setHeader('cache-control', 'no-store');
    response.json(body);
  });

  router.get(PAGE_ROUTE, authenticate(PAGE_ROUTE), async (request, response) => {
    const principal = principalOf(response);
    const pageId = request.params.pageId as string;
    const query = parseQuery(exportPageBodyQuerySchema, request);
    const space = await deps.service.requireEnabled(principal);
    if (!PAGE_ID.test(pageId)) {
      throw new ProblemError(
        'page_not_found',
        `Space ${principal.spaceKey} has no page ${pageId.slice(0, 40)} to export.`,
      );
    }
    const body = await deps.service.pageBody(space, pageId, query.format);
    response.setHeader('cache-control', 'no-store');
    response.json(body);
  });

  router.get(SYNC_ROUTE, authenticate(SYNC_ROUTE), async (_request, response) => {
    const principal = principalOf(response);
    await deps.service.requireEnabled(principal);
    response.setHeader('cache-control', 'no-store');
    response.json(await deps.service.syncView(principal));
  });

  router.post(SYNC_ROUTE, authenticate(SYNC_ROUTE), async (_request, response) => {
    const principal = principalOf(response);
    const view = await deps.service.requestSync(principal);
    response.setHeader('cache-control', 'no-store');
    response.status(202).json(view);
  });

  for (const [route, allowed] of [
    [PAGES_ROUTE, 'GET'],
    [PAGE_ROUTE, 'GET'],
    [SYNC_ROUTE, 'GET, POST'],
  ] as const) {
    router.all(route, (_request, response) => {
      requestState(response).route = route;
      response.setHeader('allow', allowed);
      throw new ProblemError('method_not_allowed', `Use ${allowed} here.`);
    });
  }

  return router;
}
