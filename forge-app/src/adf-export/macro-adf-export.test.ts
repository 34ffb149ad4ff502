import { snapshotPropertyKey } from '@pagewire/shared';
import { createAdfValidator } from '@pagewire/shared/adf-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { MACRO_LOCAL_ID, PAGE_ID } from '../../test/support/fixtures';
import { installStubRuntime, jsonResponse, type StubRuntime } from '../../test/support/forge-runtime-stub';
import { macroAdfExport } from '../index';

let runtime: StubRuntime | undefined;
const adf = createAdfValidator();

afterEach(() => {
  runtime?.restore();
  runtime = undefined;
});

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
  config: Record<string, unknown> = { blockKey: 'deploy-status' },
  contentType = 'page',
) {
  return {
    exportType: 'word',
    context: {
      localId: MACRO_LOCAL_ID,
      extension: { type: 'macro', content: { id: PAGE_ID, type: contentType }, config },
    },
  };
}

function textOf(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const { text, content } = node as { text?: string; content?: unknown[] };
  return (text ?? '') + (content ?? []).map(textOf).join(' ');
}

describe('the macro’s export view', () => {
  it('exports the snapshot the backend stored in the page, with its title and as-of time', async () => {
    runtime = installStubRuntime({
      confluenceAsApp: () =>
        jsonResponse(200, {
          results: [
            { id: '33', key: snapshotPropertyKey(MACRO_LOCAL_ID), value: snapshot, version: { number: 3 } },
          ],
        }),
    });

    const document = await macroAdfExport(exportPayload());

    const [read] = runtime.confluenceCalls('app');
    expect(read?.path).toBe(
      `/wiki/api/v2/pages/${PAGE_ID}/properties?key=${encodeURIComponent(snapshotPropertyKey(MACRO_LOCAL_ID))}`,
    );
    expect(document.content[0]).toEqual({
      type: 'heading',
      attrs: { level: 4 },
      content: [{ type: 'text', text: 'Production deploys' }],
    });
    expect(textOf(document)).toContain('Operational in all regions.');
    expect(textOf(document)).toContain('revision 7, as of 2026-11-28 09:57 UTC');
    expect(adf.validate(document).valid).toBe(true);
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('leaves the title out when the macro is set to hide it', async () => {
    runtime = installStubRuntime({
      confluenceAsApp: () =>
        jsonResponse(200, { results: [{ key: snapshotPropertyKey(MACRO_LOCAL_ID), value: snapshot }] }),
    });

    const document = await macroAdfExport(exportPayload({ blockKey: 'deploy-status', showTitle: 'hide' }));

    expect(document.content.some((node) => node.type === 'heading')).toBe(false);
  });

  it('reads a macro on a blog post from the blog post’s properties', async () => {
    runtime = installStubRuntime({
      confluenceAsApp: () =>
        jsonResponse(200, { results: [{ key: snapshotPropertyKey(MACRO_LOCAL_ID), value: snapshot }] }),
    });

    await macroAdfExport(exportPayload({ blockKey: 'deploy-status' }, 'blogpost'));

    expect(runtime.confluenceCalls('app')[0]?.path).toMatch(
      /^\/wiki\/api\/v2\/blogposts\/1310721\/properties\?key=/,
    );
  });

  it('says the block is live when the space stores no snapshot', async () => {
    runtime = installStubRuntime({ confluenceAsApp: () => jsonResponse(200, { results: [] }) });

    const document = await macroAdfExport(exportPayload());

    expect(document.content[0]?.type).toBe('panel');
    expect(textOf(document)).toMatch(/Live Pagewire block “deploy-status”/);
    expect(adf.validate(document).valid).toBe(true);
  });

  it('does not export a snapshot of a different block than the one the macro now shows', async () => {
    runtime = installStubRuntime({
      confluenceAsApp: () =>
        jsonResponse(200, {
          results: [
            { key: snapshotPropertyKey(MACRO_LOCAL_ID), value: { ...snapshot, blockKey: 'old-block' } },
          ],
        }),
    });

    const document = await macroAdfExport(exportPayload());

    expect(textOf(document)).not.toContain('Operational in all regions.');
    expect(textOf(document)).toMatch(/Live Pagewire block “deploy-status”/);
  });

  it('still exports something readable when Confluence fails or stores garbage', async () => {
    for (const answer of [
      () => new Response('nope', { status: 500 }),
      () =>
        jsonResponse(200, { results: [{ key: snapshotPropertyKey(MACRO_LOCAL_ID), value: { adf: '<p>' } }] }),
      () => {
        throw new Error('socket hang up');
      },
    ]) {
      runtime?.restore();
      runtime = installStubRuntime({ confluenceAsApp: answer });
      const document = await macroAdfExport(exportPayload());
      expect(textOf(document)).toMatch(/Live Pagewire block/);
    }
  });

  it('tells the reader when no block was ever chosen, without calling Confluence', async () => {
    runtime = installStubRuntime({});

    const document = await macroAdfExport(exportPayload({}));

    expect(textOf(document)).toMatch(/no block has been chosen/);
    expect(runtime.calls).toHaveLength(0);
  });

  it('accepts the context shape of Atlassian’s tutorial, with content at the top level', async () => {
    runtime = installStubRuntime({
      confluenceAsApp: () =>
        jsonResponse(200, { results: [{ key: snapshotPropertyKey(MACRO_LOCAL_ID), value: snapshot }] }),
    });

    const document = await macroAdfExport({
      exportType: 'pdf',
      context: { localId: MACRO_LOCAL_ID, content: { id: PAGE_ID }, config: { blockKey: 'deploy-status' } },
    });

    expect(textOf(document)).toContain('Operational in all regions.');
  });
});
