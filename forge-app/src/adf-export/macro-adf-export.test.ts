import { type AdfDocument, snapshotPropertyKey } from '@pagewire/shared';
import { createAdfValidator } from '@pagewire/shared/adf-validator';
import { describe, expect, it } from 'vitest';
import {
  createPage,
  declareForgeWorld,
  MACRO_LOCAL_ID,
  putPageProperty,
  type World,
} from '../../test/support/forge-world';
import { macroAdfExport } from '../index';
import type { AdfExportPayload } from './macro-adf-export';

const world = declareForgeWorld();
const adf = createAdfValidator();

const snapshot = {
  blockKey: 'deploy-status',
  revision: 7,
  title: 'Production deploys',
  adf: {
    version: 1,
    type: 'doc',
    content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Operational in all regions.' }] }],
  },
  updatedAt: '2026-11-28T09:57:00Z',
};

function exportPayload(
  pageId: string,
  config: Record<string, unknown> = { blockKey: 'deploy-status' },
  exportType = 'word',
): AdfExportPayload {
  return {
    exportType,
    context: { localId: MACRO_LOCAL_ID, extension: { content: { id: pageId, type: 'page' }, config } },
  };
}

function runExport(w: World, payload: AdfExportPayload): Promise<AdfDocument> {
  return w.runtime.runFunction(macroAdfExport, payload, { moduleKey: 'pagewire-block' });
}

function textOf(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const { text, content } = node as { text?: string; content?: unknown[] };
  return [text ?? '', ...(content ?? []).map(textOf)].filter(Boolean).join(' ');
}

describe('the macro’s export view', () => {
  it('exports the snapshot stored in the page, with its title and when it was true, as valid ADF', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Release status');
    await putPageProperty(w.site, pageId, snapshotPropertyKey(MACRO_LOCAL_ID), snapshot);

    const document = await runExport(w, exportPayload(pageId));

    expect(document.content[0]).toEqual({
      type: 'heading',
      attrs: { level: 4 },
      content: [{ type: 'text', text: 'Production deploys' }],
    });
    expect(textOf(document)).toContain('Operational in all regions.');
    expect(textOf(document)).toContain('revision 7, as of 28 Nov 2026, 09:57 UTC');
    expect(adf.validate(document)).toEqual({ valid: true });
    // One property read as the app, nothing else: it runs once per macro per export.
    expect(w.runtime.productCalls()).toEqual([
      {
        as: 'app',
        accountId: null,
        method: 'GET',
        path: `/wiki/api/v2/pages/${pageId}/properties?key=${encodeURIComponent(snapshotPropertyKey(MACRO_LOCAL_ID))}`,
        status: 200,
      },
    ]);
    expect(w.backend.received).toHaveLength(0);
  });

  it('leaves the title out when the macro is set to hide it', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Release status');
    await putPageProperty(w.site, pageId, snapshotPropertyKey(MACRO_LOCAL_ID), snapshot);

    const document = await runExport(
      w,
      exportPayload(pageId, { blockKey: 'deploy-status', showTitle: 'hide' }),
    );

    expect(document.content.some((node) => node.type === 'heading')).toBe(false);
    expect(textOf(document)).toContain('Operational in all regions.');
  });

  it('says the block is live when the page holds no snapshot of it', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Release status');

    const document = await runExport(w, exportPayload(pageId, { blockKey: 'deploy-status' }, 'pdf'));

    expect(document.content[0]?.type).toBe('panel');
    expect(textOf(document)).toMatch(/Live Pagewire block “deploy-status”/);
    expect(adf.validate(document)).toEqual({ valid: true });
  });

  it('does not export a snapshot of a different block than the one the macro now shows', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Release status');
    await putPageProperty(w.site, pageId, snapshotPropertyKey(MACRO_LOCAL_ID), {
      ...snapshot,
      blockKey: 'old-block',
    });

    const document = await runExport(w, exportPayload(pageId));

    expect(textOf(document)).not.toContain('Operational in all regions.');
    expect(textOf(document)).toMatch(/Live Pagewire block “deploy-status”/);
  });

  it('still exports something readable when Confluence fails, or the property holds garbage', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Release status');
    await putPageProperty(w.site, pageId, snapshotPropertyKey(MACRO_LOCAL_ID), { adf: '<p>not ADF</p>' });

    const garbage = await runExport(w, exportPayload(pageId));
    await w.dev.setFaults({ rules: [{ path: '/**/properties', errorRate: 1, status: 500, times: 1 }] });
    const failed = await runExport(w, exportPayload(pageId)).finally(() => w.dev.clearFaults());

    expect(textOf(garbage)).toMatch(/Live Pagewire block/);
    expect(textOf(failed)).toMatch(/Live Pagewire block/);
  });

  it('tells the reader when no block was ever chosen, without calling Confluence', async () => {
    const w = await world.setUp();

    const document = await runExport(w, exportPayload('1310721', {}));

    expect(textOf(document)).toMatch(/no block has been chosen/);
    expect(w.runtime.productCalls()).toHaveLength(0);
  });

  it('accepts the context shape of Atlassian’s tutorial, with the content at the top level', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Release status');
    await putPageProperty(w.site, pageId, snapshotPropertyKey(MACRO_LOCAL_ID), snapshot);

    const document = await runExport(w, {
      exportType: 'other',
      context: { localId: MACRO_LOCAL_ID, content: { id: pageId }, config: { blockKey: 'deploy-status' } },
    });

    expect(textOf(document)).toContain('Operational in all regions.');
  });
});
