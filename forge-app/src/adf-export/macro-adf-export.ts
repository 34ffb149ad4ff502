import {
  type AdfDocument,
  type AdfNode,
  presentSnapshotHeader,
  type SnapshotProperty,
  snapshotPropertyKey,
  snapshotPropertySchema,
} from '@pagewire/shared';
import { doc, em, heading, panel, paragraph, text } from '@pagewire/shared/adf-builders';
import { z } from 'zod';
import { macroConfigFrom } from '../macro-config';

export interface ContentRef {
  id: string;
  type: 'page' | 'blogpost';
}

export interface PropertiesResponse {
  status: number;
  json(): Promise<unknown>;
}

export interface AdfExportDependencies {
  /** `GET /wiki/api/v2/{pages|blogposts}/{id}/properties?key=…` as the app. */
  readContentProperties: (content: ContentRef, key: string) => Promise<PropertiesResponse>;
  timeoutMs: number;
}

/**
 * What Confluence passes an `adfExport` function: `exportType` (`pdf`, `word`
 * or `other`) and the macro's context. Atlassian's tutorial reads
 * `payload.context.content.id`; other apps read `payload.context.extension.*`,
 * so both places are accepted.
 * https://developer.atlassian.com/platform/forge/change-the-confluence-frontend-with-the-ui-kit/#specify-the-export-view
 */
export interface AdfExportPayload {
  exportType?: string;
  context?: ExportContext & { extension?: ExportContext };
}

interface ExportContext {
  localId?: string;
  content?: { id?: string | number; type?: string };
  config?: unknown;
}

const propertiesSchema = z.object({
  results: z.array(z.object({ key: z.string(), value: z.unknown() })),
});

export type MacroAdfExport = (payload: AdfExportPayload) => Promise<AdfDocument>;

/**
 * The macro's export view: the block as the backend last snapshotted it into a
 * page content property. One property read per macro per export and no backend
 * call, because Confluence runs this once for every macro instance on every
 * export, CQL-search rendering included (docs/platform-notes.md#macro-config-and-adfexport). Any failure
 * falls back to a short explanation rather than breaking the export.
 */
export function createMacroAdfExport(deps: AdfExportDependencies): MacroAdfExport {
  return async (payload) => {
    const context = payload?.context ?? {};
    const extension = context.extension ?? {};
    const localId = context.localId ?? extension.localId;
    const content = contentRefFrom(context.content ?? extension.content);
    const config = macroConfigFrom(extension.config ?? context.config);

    if (!config.blockKey) return notConfiguredDocument();
    if (!localId || !content) return liveOnlyDocument(config.blockKey);

    const snapshot = await readSnapshot(deps, content, localId);
    // A snapshot written for another block (the macro was re-pointed and the
    // backend has not refreshed yet) would export the wrong facts.
    if (!snapshot || snapshot.blockKey !== config.blockKey) return liveOnlyDocument(config.blockKey);
    return snapshotDocument(snapshot, config.showTitle);
  };
}

/** Reads the snapshot property of one macro instance; undefined when there is none or it cannot be read in time. */
export async function readSnapshot(
  deps: AdfExportDependencies,
  content: ContentRef,
  localId: string,
): Promise<SnapshotProperty | undefined> {
  const key = snapshotPropertyKey(localId);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), deps.timeoutMs);
    });
    const read = (async () => {
      const response = await deps.readContentProperties(content, key);
      if (response.status !== 200) return undefined;
      const properties = propertiesSchema.safeParse(await response.json());
      if (!properties.success) return undefined;
      const property = properties.data.results.find((result) => result.key === key);
      const snapshot = snapshotPropertySchema.safeParse(property?.value);
      return snapshot.success ? snapshot.data : undefined;
    })();
    return await Promise.race([read, deadline]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export function contentRefFrom(content: ExportContext['content']): ContentRef | undefined {
  if (content?.id === undefined) return undefined;
  const id = String(content.id);
  if (!/^[0-9]{1,20}$/.test(id)) return undefined;
  return { id, type: content.type === 'blogpost' ? 'blogpost' : 'page' };
}

/**
 * The snapshot under the header the shared presentation model gives an export:
 * the title (unless hidden), then the body, then exactly when it was true,
 * where the live macro says "updated 3 min ago".
 */
function snapshotDocument(snapshot: SnapshotProperty, showTitle: boolean): AdfDocument {
  const header = presentSnapshotHeader(snapshot, { showTitle });
  const title: AdfNode[] = header.title === undefined ? [] : [heading(4, [text(header.title)])];
  return doc([...title, ...snapshot.adf.content, paragraph([text(header.asOf, [em])])]);
}

function liveOnlyDocument(blockKey: string): AdfDocument {
  return infoPanel(
    `Live Pagewire block “${blockKey}”. Its current content shows when the page is viewed in Confluence; no copy is stored in the page for exports (the space publishes blocks live, or the first snapshot has not been written yet).`,
  );
}

function notConfiguredDocument(): AdfDocument {
  return infoPanel('Pagewire block: no block has been chosen for this macro yet.');
}

function infoPanel(message: string): AdfDocument {
  return doc([panel('info', [paragraph([text(message)])])]);
}
