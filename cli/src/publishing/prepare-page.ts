import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  ATTACHMENT_LINK_PREFIX,
  type AttachmentContentType,
  labelSchema,
  MAX_ATTACHMENT_BYTES,
  PAGE_LINK_PREFIX,
  type PageIngestBodyInput,
  spaceKeySchema,
} from '@pagewire/shared';
import type { Root } from 'mdast';
import {
  dropComments,
  type ImageDecision,
  type LinkDecision,
  printMarkdown,
  rewriteUrls,
  type UrlSite,
} from '../source/markdown-source';
import { attachmentNameForPath, isExternalId } from '../tree/page-ids';
import type { PageDraft } from './page-drafts';
import type { FileWarning, PageImage, PreparedPage, PublishOptions } from './publish-types';

export interface PrepareContext {
  readonly options: PublishOptions;
  readonly spaceKey: string;
  /** Every page by its origin path (files by their path, generated folder pages by the folder's). */
  readonly drafts: ReadonlyMap<string, PageDraft>;
  /** Folder path → the origin path of the folder's page. */
  readonly folderPages: ReadonlyMap<string, string>;
  /** The external id each page is published under (as far as it is known yet). */
  idOf(originPath: string): string;
  /** Where a page was published from before a rename, if it was. */
  renamedFrom(originPath: string): string | undefined;
  /** Image bytes read once per run, by path. */
  readonly images: Map<string, { bytes: Uint8Array; sha256: string } | null>;
}

const IMAGE_TYPES: Record<string, AttachmentContentType> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
};

const ABSOLUTE_URL = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#|$)/i;

/** A link or image path relative to `fromDir`, as a path inside the tree; null when it leaves the tree. */
function resolveInTree(fromDir: string, url: string): { path: string | null; anchor: string } {
  const [withoutAnchor = '', ...anchorParts] = url.split('#');
  const pathPart = withoutAnchor.split('?')[0] ?? '';
  let decoded = pathPart;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    // keep it as written
  }
  const joined = decoded.startsWith('/') ? decoded.slice(1) : posix.join(fromDir, decoded);
  const normal = posix.normalize(joined).replace(/\/+$/, '');
  const outside = normal === '..' || normal.startsWith('../') || normal === '.' || normal === '';
  return { path: outside ? null : normal, anchor: anchorParts.join('#') };
}

function hashBytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

type ParentRef = { parentExternalId: string } | { parentId: string } | Record<string, never>;

/** The page's parent: front matter `parent`, else mark's last `Parent:` header, else the folder's page. */
function resolveParent(
  draft: PageDraft,
  context: PrepareContext,
  warn: (w: Omit<FileWarning, 'path'>) => void,
): ParentRef {
  const top = (): ParentRef =>
    context.options.parentPageId === undefined ? {} : { parentId: context.options.parentPageId };
  const folderDefault = (): ParentRef =>
    draft.entry.parentOriginPath === null
      ? top()
      : { parentExternalId: context.idOf(draft.entry.parentOriginPath) };
  const declared = draft.frontMatter.parent;
  if (declared !== undefined) {
    const text = String(declared).trim();
    if (/^[0-9]{1,20}$/.test(text)) return { parentId: text };
    if (text.endsWith('.md') || text.includes('/')) {
      const fromDir = posix.dirname(draft.entry.sourcePath ?? '.');
      const { path } = resolveInTree(fromDir, text);
      const target =
        path === null
          ? undefined
          : (context.drafts.get(path) ?? context.drafts.get(context.folderPages.get(path) ?? ''));
      if (target !== undefined) return { parentExternalId: context.idOf(target.entry.originPath) };
      warn({
        code: 'parent_not_found',
        message: `front matter parent "${text}" is not a page of this tree; using the folder's page`,
      });
      return folderDefault();
    }
    if (isExternalId(text)) return { parentExternalId: text };
    warn({
      code: 'parent_not_found',
      message: `front matter parent "${text}" is neither a path, a page id nor an external id`,
    });
    return folderDefault();
  }
  const markParent = draft.headers.parents.at(-1);
  if (markParent !== undefined) {
    const target = [...context.drafts.values()].find(
      (other) => other.title === markParent && other !== draft,
    );
    if (target !== undefined) return { parentExternalId: context.idOf(target.entry.originPath) };
    warn({
      code: 'parent_not_in_tree',
      message: `Parent: "${markParent}" names no page of this tree by title; using the folder's page`,
    });
  }
  return folderDefault();
}

function collectLabels(
  draft: PageDraft,
  context: PrepareContext,
  warn: (w: Omit<FileWarning, 'path'>) => void,
): string[] {
  const declared = draft.frontMatter.labels;
  const fromFrontMatter =
    declared === undefined ? [] : Array.isArray(declared) ? declared : declared.split(',');
  const labels = new Set<string>();
  for (const raw of [...fromFrontMatter, ...draft.headers.labels, ...context.options.labels]) {
    const label = raw.trim().toLowerCase().replace(/\s+/g, '-');
    if (label === '') continue;
    if (labelSchema.safeParse(label).success) labels.add(label);
    else
      warn({
        code: 'label_invalid',
        message: `label "${raw}" is not a Confluence label (lower case, no spaces); left out`,
      });
  }
  const list = [...labels];
  if (list.length > 20)
    warn({ code: 'too_many_labels', message: `${list.length} labels; Confluence pages get the first 20` });
  return list.slice(0, 20);
}

function generatedFolderBody(draft: PageDraft, context: PrepareContext): Root {
  const items = draft.entry.childOriginPaths.map((child) => ({
    type: 'listItem' as const,
    spread: false,
    children: [
      {
        type: 'paragraph' as const,
        children: [
          {
            type: 'link' as const,
            url: `${PAGE_LINK_PREFIX}${context.idOf(child)}`,
            children: [{ type: 'text' as const, value: context.drafts.get(child)?.title ?? child }],
          },
        ],
      },
    ],
  }));
  return {
    type: 'root',
    children: [
      { type: 'paragraph', children: [{ type: 'text', value: 'Pages in this section:' }] },
      { type: 'list', ordered: false, spread: false, children: items },
    ],
  };
}

type Warn = (warning: Omit<FileWarning, 'path'>) => void;

/** Links to files of the tree become `pagewire:page/<externalId>`; broken ones keep their text and a warning. */
function linkDecider(
  fromDir: string,
  context: PrepareContext,
  warn: Warn,
  lineOf: (site: UrlSite) => number,
  targets: Set<string>,
) {
  return (site: UrlSite): LinkDecision => {
    if (ABSOLUTE_URL.test(site.url)) return { kind: 'keep' };
    const { path, anchor } = resolveInTree(fromDir, site.url);
    if (path === null) {
      warn({
        line: lineOf(site),
        code: 'link_outside_tree',
        message: `link to ${site.url} leaves the tree; only its text is kept`,
      });
      return { kind: 'unlink' };
    }
    const target = context.drafts.has(path) ? path : context.folderPages.get(path);
    if (target !== undefined) {
      targets.add(context.idOf(target));
      return {
        kind: 'rewrite',
        url: `${PAGE_LINK_PREFIX}${context.idOf(target)}${anchor === '' ? '' : `#${anchor}`}`,
      };
    }
    warn({
      line: lineOf(site),
      code: 'link_target_missing',
      message: `link to ${site.url}: no such page in the tree; only its text is kept`,
    });
    return { kind: 'unlink' };
  };
}

/** Local images become the page's attachments (collected in `images`); others keep their alt text and a warning. */
function imageDecider(
  fromDir: string,
  context: PrepareContext,
  warn: Warn,
  lineOf: (site: UrlSite) => number,
  images: Map<string, PageImage>,
) {
  return (site: UrlSite): ImageDecision => {
    if (ABSOLUTE_URL.test(site.url)) return { kind: 'keep' };
    const { path } = resolveInTree(fromDir, site.url);
    const contentType = IMAGE_TYPES[(path ?? '').slice((path ?? '').lastIndexOf('.') + 1).toLowerCase()];
    const refuse = (code: string, why: string): ImageDecision => {
      warn({ line: lineOf(site), code, message: `image ${site.url} ${why}; its alt text is shown` });
      return { kind: 'alt' };
    };
    if (path === null) return refuse('image_outside_tree', 'is outside the tree');
    if (contentType === undefined)
      return refuse('image_type_unsupported', 'is not png, jpg, gif, svg or webp');
    const file = readImage(context, path);
    if (file === null) return refuse('image_missing', 'does not exist');
    if (file.bytes.byteLength > MAX_ATTACHMENT_BYTES)
      return refuse('image_too_large', `is over ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`);
    const name = attachmentNameForPath(path);
    images.set(name, { name, path, contentType, sha256: file.sha256, bytes: file.bytes });
    return { kind: 'rewrite', url: `${ATTACHMENT_LINK_PREFIX}${encodeURI(name)}` };
  };
}

/**
 * Turns a draft into the body the ingest API gets: links to other files of
 * the tree become `pagewire:page/<externalId>`, local images
 * `pagewire:attachment/<name>`, comments go, and the source hash covers
 * everything sent (Markdown, title, labels, parent, image hashes), so an
 * unchanged hash means there is nothing to send. `parentOverride` asks
 * "what would the hash be under that parent" (rename detection).
 */
export function preparePage(
  draft: PageDraft,
  context: PrepareContext,
  parentOverride?: { parentExternalId: string | null },
): PreparedPage {
  const originPath = draft.entry.originPath;
  const warnings: FileWarning[] = [];
  const filePath = draft.entry.sourcePath ?? originPath;
  const warn: Warn = (warning) => warnings.push({ path: filePath, ...warning });
  const images = new Map<string, PageImage>();
  const fromDir = posix.dirname(draft.entry.sourcePath ?? `${originPath}/x`);
  const lineOf = (site: UrlSite) => site.line + draft.bodyLineOffset;
  const linkTargets = new Set<string>();
  const decideLink = linkDecider(fromDir, context, warn, lineOf, linkTargets);
  const decideImage = imageDecider(fromDir, context, warn, lineOf, images);

  let markdown = '';
  if (draft.markdown !== null) {
    const tree = structuredClone(draft.markdown);
    dropComments(tree);
    rewriteUrls(tree, decideLink, decideImage);
    markdown = printMarkdown(tree);
  } else if (draft.entry.sourcePath === null) {
    markdown = printMarkdown(generatedFolderBody(draft, context));
    for (const child of draft.entry.childOriginPaths) linkTargets.add(context.idOf(child));
  }
  const labels = collectLabels(draft, context, warn);
  let parent = resolveParent(draft, context, warn);
  if (parentOverride !== undefined) {
    parent =
      parentOverride.parentExternalId === null
        ? context.options.parentPageId === undefined
          ? {}
          : { parentId: context.options.parentPageId }
        : { parentExternalId: parentOverride.parentExternalId };
  }
  const imageList = [...images.values()].sort((a, b) => a.name.localeCompare(b.name));
  const sourceHash = hashBytes(
    JSON.stringify({
      v: 1,
      title: draft.title,
      markdown,
      labels,
      parent,
      images: imageList.map((image) => [image.name, image.sha256]),
    }),
  );
  const externalId = context.idOf(originPath);
  const body: PageIngestBodyInput = {
    spaceKey: context.spaceKey,
    title: draft.title,
    markdown,
    ...parent,
    ...(labels.length > 0 ? { labels } : {}),
    origin: { tree: context.options.tree, path: originPath, sourceHash },
    onHumanEdit: context.options.onHumanEdit,
    dryRun: context.options.dryRun,
    versionMessage: `Published from ${filePath}`,
  };
  const renamedFrom = context.renamedFrom(originPath);
  return {
    originPath,
    externalId,
    title: draft.title,
    body,
    images: imageList,
    linkTargets: [...linkTargets],
    sourceHash,
    warnings,
    skip: draft.frontMatter.skip === true,
    ...(renamedFrom === undefined ? {} : { renamedFrom }),
    ...pageError(draft, context),
  };
}

function pageError(draft: PageDraft, context: PrepareContext): { error?: { code: string; detail: string } } {
  if (draft.error !== undefined) return { error: draft.error };
  const declaredSpace = draft.frontMatter.space ?? draft.headers.space;
  if (declaredSpace !== undefined && declaredSpace !== context.spaceKey) {
    return {
      error: {
        code: 'space_mismatch',
        detail: `the file names space ${declaredSpace}, this run publishes to ${context.spaceKey} (one ingest key, one space)`,
      },
    };
  }
  if (!spaceKeySchema.safeParse(context.spaceKey).success) {
    return { error: { code: 'space_invalid', detail: `${context.spaceKey} is not a Confluence space key` } };
  }
  return {};
}

function readImage(context: PrepareContext, path: string): { bytes: Uint8Array; sha256: string } | null {
  if (!context.images.has(path)) {
    let file: { bytes: Uint8Array; sha256: string } | null = null;
    try {
      const absolute = join(context.options.root, path);
      if (statSync(absolute).isFile()) {
        const bytes = readFileSync(absolute);
        file = { bytes, sha256: hashBytes(bytes) };
      }
    } catch {
      file = null;
    }
    context.images.set(path, file);
  }
  return context.images.get(path) ?? null;
}
