import { readFileSync } from 'node:fs';
import { blockKinds, blockPayloadSchema, pageIngestBodySchema } from '@pagewire/shared';
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExportExtension } from '../../export/export-extension';
import { createPublishingExtension } from '../../publishing/publishing-extension';
import { startTestBackend, type TestBackend } from '../../testing/test-backend';
import { renderApiReference } from './api-reference-markdown';
import { blockExamples, createIngestApiDocument, pageExample } from './ingest-api-document';

let t: TestBackend;
beforeAll(async () => {
  // With the publishing engine, as main.ts runs it, so its routes count too (Confluence is out of reach: no publish happens).
  t = await startTestBackend({
    logLevel: 'silent',
    extensions: [
      createPublishingExtension({
        env: {},
        fetch: async () => {
          throw new TypeError('fetch failed (no network in this test)');
        },
      }),
      createExportExtension({ worker: false }),
    ],
  });
});
afterAll(async () => {
  await t.close();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: Router & { stack?: Layer[] };
}

/** Every method+path the running app routes under /ingest/ and /export/, as OpenAPI templates (`:key` → `{key}`). */
function mountedIngestRoutes(stack: Layer[]): Set<string> {
  const routes = new Set<string>();
  for (const layer of stack) {
    if (layer.route?.path.startsWith('/ingest/') || layer.route?.path.startsWith('/export/')) {
      const path = layer.route!.path.replace(/:(\w+)/g, '{$1}');
      for (const [method, on] of Object.entries(layer.route!.methods)) {
        // `all` is the 405 fallback, not an operation.
        if (on && method !== '_all') routes.add(`${method} ${path}`);
      }
    } else if (Array.isArray(layer.handle?.stack)) {
      for (const route of mountedIngestRoutes(layer.handle.stack)) routes.add(route);
    }
  }
  return routes;
}

describe('the OpenAPI document of the ingest API', () => {
  it('is served at GET /openapi.json without a key, as OpenAPI 3.1', async () => {
    const response = await t.http.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.openapi).toBe('3.1.0');
    expect(response.body.info.title).toBe('Pagewire ingest API');
  });

  it('describes every ingest route the backend answers', async () => {
    const document = (await t.http.get('/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)),
    );
    const mounted = mountedIngestRoutes(
      (t.backend.app as unknown as { router: { stack: Layer[] } }).router.stack,
    );
    expect(mounted.size).toBeGreaterThanOrEqual(3);
    expect([...mounted].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !mounted.has(route))).toEqual([]);
  });

  it('names every block kind in the block body schema, each with an example the API accepts', () => {
    const document = createIngestApiDocument();
    const body = document.components?.schemas?.BlockBody as {
      oneOf: Array<{ properties: { kind: { const: string } } }>;
    };
    expect(body.oneOf.map((entry) => entry.properties.kind.const).sort()).toEqual([...blockKinds].sort());
    for (const kind of blockKinds) {
      expect(blockPayloadSchema.safeParse(blockExamples[kind]).success, kind).toBe(true);
    }
    expect(pageIngestBodySchema.safeParse(pageExample).success).toBe(true);
  });

  it('writes a block with each kind’s documented example', async () => {
    const { key } = await t.createIngestKey(t.tenant('docs'), 'ENG', 'docs-example');
    for (const kind of blockKinds) {
      const response = await t.http
        .put(`/ingest/v1/blocks/example-${kind}`)
        .set('authorization', `Bearer ${key}`)
        .send(blockExamples[kind] as object);
      expect(response.status, kind).toBe(201);
    }
  });
});

describe('docs/INGEST-API.md', () => {
  const committed = readFileSync(new URL('../../../../docs/INGEST-API.md', import.meta.url), 'utf8');

  it('is what `npm run docs:api` renders from the document today', () => {
    expect(committed).toBe(renderApiReference(createIngestApiDocument()));
  });

  it('has a curl example for every block kind', () => {
    for (const kind of blockKinds) {
      expect(committed).toContain(`### \`${kind}\``);
      expect(committed).toContain(`"kind":"${kind}"`);
    }
    expect(
      committed.match(/curl -X PUT "\$PAGEWIRE_URL\/ingest\/v1\/blocks\//g)?.length,
    ).toBeGreaterThanOrEqual(blockKinds.length);
  });
});
