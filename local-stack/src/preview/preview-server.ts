import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALL_CONFLUENCE_SCOPES, type DevApiClient, type PageSnapshot } from '@pagewire/devkit';
import type { ForgeRuntime } from '@pagewire/devkit/forge-runtime';
import {
  type AdfDocument,
  type AdfNode,
  makeProblem,
  PROBLEM_CONTENT_TYPE,
  type ProblemCode,
} from '@pagewire/shared';
import { z } from 'zod';
import { forgeMacroNode, MACRO_MODULE_KEY } from '../demo/demo-content';
import type { DemoRecord } from '../demo/demo-record';
import { type DemoResolvers, SETTINGS_MODULE_KEY } from '../demo/demo-seed';
import { renderAdfNodes, renderStorage } from './adf-html';
import { escapeHtml } from './html';
import {
  type Persona,
  pagePath,
  renderByline,
  renderEmulatorScreen,
  renderEmulatorState,
  renderFrame,
  renderMacroFrame,
  settingsPath,
} from './preview-pages';
import { type ConfigChange, type View, ViewRegistry } from './preview-views';
import { bundleUiKitResources } from './ui-kit/ui-kit-bundles';

/** manifest.yml: the page notice's module key, and the content property its display condition names. */
const PAGE_NOTICE_MODULE_KEY = 'pagewire-page-notice';
const PAGE_OWNERSHIP_PROPERTY = 'pagewire.page';

/**
 * The local preview: what Confluence would show, driven through the real
 * path. A page's Pagewire macros and the space settings page are the real
 * UI Kit frontends (bundled from forge-app), calling the real resolvers on
 * the devkit's Forge runtime harness, which call the backend, which calls
 * the emulator. See docs/LOCAL-STACK.md.
 */
export interface PreviewOptions {
  readonly port: number;
  readonly host: string;
  readonly dev: DevApiClient;
  readonly backendUrl: string;
  readonly record: DemoRecord;
  readonly runtime: ForgeRuntime;
  readonly resolvers: DemoResolvers;
  /**
   * The local stack's backend, switched off and on from the emulator screen
   * ("Simulate a backend outage"), so a user sees what readers see when the
   * backend is down: macros falling back to their last snapshot.
   */
  readonly backend?: BackendSwitch;
  /** How often an open page asks to re-run its macros (as if the reader reloaded); 0 = off by default. */
  readonly macroRefreshMs?: number;
  readonly report?: (line: string) => void;
}

export interface BackendSwitch {
  isOnline(): boolean;
  setOnline(online: boolean): Promise<void>;
}

export interface RunningPreview {
  readonly url: string;
  close(): Promise<void>;
}

const PERSONA_COOKIE = 'pw_persona';
const MACRO_EXTENSION_SUFFIX = `/static/${MACRO_MODULE_KEY}`;
const assetsDir = new URL('./assets/', import.meta.url);
const assets: Readonly<Record<string, { file: string; type: string }>> = {
  '/assets/preview.css': { file: 'preview.css', type: 'text/css; charset=utf-8' },
  '/assets/preview-client.js': { file: 'preview-client.js', type: 'text/javascript; charset=utf-8' },
};

const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('event'),
    slot: z.string().max(200),
    node: z.string().max(100),
    prop: z.enum(['onClick', 'onChange', 'onClose', 'onBlur', 'onFocus']),
    value: z.union([z.string().max(100_000), z.boolean(), z.null()]).optional(),
  }),
  z.strictObject({
    type: z.literal('select'),
    slot: z.string().max(200),
    target: z.string().max(200),
    value: z.number().int().min(0).max(10_000),
  }),
  z.strictObject({ type: z.literal('open-config'), slot: z.string().max(200) }),
  z.strictObject({ type: z.literal('close-config') }),
  z.strictObject({
    type: z.literal('config'),
    slot: z.string().max(200),
    name: z.string().max(100),
    value: z.string().max(2000),
  }),
  z.strictObject({ type: z.literal('refresh') }),
]);

const personaBodySchema = z.strictObject({ persona: z.enum(['admin', 'member']) });
const backendSwitchBodySchema = z.strictObject({ online: z.boolean() });

function renderBackendSwitch(backend: BackendSwitch | undefined): string {
  if (!backend) return '';
  const online = backend.isOnline();
  return `<section class="pw-card" data-testid="pw-backend-switch"><h2>Backend</h2><p>${
    online
      ? 'The Pagewire backend is running.'
      : 'The Pagewire backend is down (simulated outage): macros show their last snapshot, the settings page says the backend is unreachable.'
  }</p><button type="button" class="pw-button" data-pw-host="backend-outage" data-pw-online="${online ? 'false' : 'true'}">${
    online ? 'Simulate a backend outage' : 'Bring the backend back'
  }</button></section>`;
}

class HttpProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function sendProblem(response: ServerResponse, code: ProblemCode, detail: string, instance?: string): void {
  const problem = { ...makeProblem(code, detail), ...(instance ? { instance } : {}) };
  response.writeHead(problem.status, { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' });
  response.end(JSON.stringify(problem));
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // Everything the preview shows is its own markup; no inline script, no third-party origin.
    'content-security-policy':
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  response.end(html);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never grants.
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw new HttpProblem('unsupported_media_type', 'Send JSON with Content-Type: application/json.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024)
      throw new HttpProblem('payload_too_large', 'Preview actions are small; this one is over 64 KB.');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new HttpProblem('malformed_json', 'The request body is not valid JSON.');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpProblem(
      'validation_failed',
      `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function isPagewireMacro(node: AdfNode): boolean {
  return (
    node.type === 'extension' &&
    typeof node.attrs?.extensionKey === 'string' &&
    node.attrs.extensionKey.endsWith(MACRO_EXTENSION_SUFFIX)
  );
}

function macroParameters(node: AdfNode): { localId: string; guestParams: Record<string, unknown> } | null {
  const parameters = node.attrs?.parameters as { localId?: unknown; guestParams?: unknown } | undefined;
  if (typeof parameters?.localId !== 'string') return null;
  const guestParams =
    typeof parameters.guestParams === 'object' && parameters.guestParams !== null
      ? (parameters.guestParams as Record<string, unknown>)
      : {};
  return { localId: parameters.localId, guestParams };
}

/** The page body with one macro's config changed, everything else as it was. */
function withMacroConfig(document: AdfDocument, localId: string, name: string, value: unknown): AdfDocument {
  const visit = (node: AdfNode): AdfNode => {
    if (isPagewireMacro(node) && macroParameters(node)?.localId === localId) {
      const parameters = node.attrs!.parameters as Record<string, unknown>;
      const guestParams = (parameters.guestParams as Record<string, unknown> | undefined) ?? {};
      return {
        ...node,
        attrs: {
          ...node.attrs,
          parameters: { ...parameters, guestParams: { ...guestParams, [name]: value } },
        },
      };
    }
    return node.content ? { ...node, content: node.content.map(visit) } : node;
  };
  return { ...document, content: document.content.map(visit) };
}

export async function startPreview(options: PreviewOptions): Promise<RunningPreview> {
  const preview = await createPreview(options);
  const server = createServer((request, response) => {
    route(preview, request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof HttpProblem) {
        sendProblem(response, error.code, error.detail, new URL(request.url ?? '/', 'http://x').pathname);
        return;
      }
      preview.report(`preview: ${error instanceof Error ? error.message : String(error)}`);
      sendProblem(response, 'internal_error', 'The preview could not show this; the console says why.');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        preview.views.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What every screen and action of one running preview shares. */
interface Preview {
  readonly options: PreviewOptions;
  readonly dev: DevApiClient;
  readonly record: DemoRecord;
  readonly resolvers: DemoResolvers;
  readonly installation: ForgeRuntime['installation'];
  readonly report: (line: string) => void;
  readonly views: ViewRegistry;
  readonly personas: readonly Persona[];
  readonly space: { readonly id: string; readonly key: string; readonly name: string };
  readonly userName: (accountId: string) => string;
  /**
   * Config edits a view has shown but not saved yet: in Confluence a macro's
   * settings are part of the page being edited, and the page gets one new
   * version when it is published, however many fields changed. The preview
   * publishes when the settings panel closes (or another macro's opens).
   */
  readonly drafts: WeakMap<View, ConfigChange[]>;
}

async function createPreview(options: PreviewOptions): Promise<Preview> {
  const { record, runtime } = options;
  const report = options.report ?? (() => {});
  const scripts = await bundleUiKitResources();
  const installation = runtime.installation;
  const names = new Map<string, string>([
    [record.admin.accountId, record.admin.displayName],
    [record.member.accountId, record.member.displayName],
    [record.serviceAccount.accountId, record.serviceAccount.displayName],
    [installation.appAccountId, 'Pagewire (app)'],
  ]);
  const personas: Persona[] = [
    {
      id: 'admin',
      accountId: record.admin.accountId,
      displayName: record.admin.displayName,
      role: 'space admin',
    },
    {
      id: 'member',
      accountId: record.member.accountId,
      displayName: record.member.displayName,
      role: 'space member',
    },
  ];
  return {
    options,
    dev: options.dev,
    record,
    resolvers: options.resolvers,
    installation,
    report,
    views: new ViewRegistry({ scripts, runtime, userName: (id) => names.get(id), report }),
    personas,
    space: { id: record.space.id, key: record.space.key, name: record.space.name },
    userName: (accountId) => names.get(accountId) ?? 'Unknown user',
    drafts: new WeakMap(),
  };
}

function personaOf(preview: Preview, request: IncomingMessage): Persona {
  return (
    preview.personas.find((persona) => persona.id === cookie(request, PERSONA_COOKIE)) ?? preview.personas[0]!
  );
}

function sitePages(preview: Preview): Promise<PageSnapshot[]> {
  return preview.dev.pages(preview.installation.cloudId);
}

async function pageScreen(
  preview: Preview,
  request: IncomingMessage,
  response: ServerResponse,
  pageId: string,
): Promise<void> {
  const { space, personas } = preview;
  const persona = personaOf(preview, request);
  const pages = await sitePages(preview);
  const page = pages.find((candidate) => candidate.id === pageId && candidate.spaceKey === space.key);
  if (page?.status !== 'current') {
    sendHtml(
      response,
      404,
      renderFrame({
        title: 'Page not found',
        persona,
        personas,
        space,
        pages,
        current: 'page',
        body: '<h1 class="pw-page-title">This page does not exist</h1><p>It may have been moved to the trash. Pick another page on the left.</p>',
      }),
    );
    return;
  }
  const view = preview.views.create({ accountId: persona.accountId });
  const body = renderPageBody(preview, view, page);
  // Opened by "Insert a Pagewire block": the new macro's settings open at once, as `openOnInsert` does.
  const configure = new URL(request.url ?? '/', 'http://preview.invalid').searchParams.get('configure');
  if (configure !== null && view.slotIds().includes(`macro-${configure}`))
    view.openConfig(`macro-${configure}`);
  const noticeSlot = addNoticeSlot(preview, view, page);
  const home = pages.find((candidate) => candidate.spaceKey === space.key && candidate.parentId === null);
  sendHtml(
    response,
    200,
    renderFrame({
      title: page.title,
      persona,
      personas,
      space,
      pages,
      current: 'page',
      currentPageId: page.id,
      viewId: view.id,
      body: `<article class="pw-page"><nav class="pw-breadcrumbs"><a href="${pagePath(space.key, home?.id ?? page.id)}">${escapeHtml(space.name)}</a></nav><h1 class="pw-page-title">${escapeHtml(page.title)}</h1>${renderByline(page, preview.userName, noticeSlot)}${pageControls(preview, view, page)}<div class="pw-page-body">${body}</div></article>`,
    }),
  );
}

/** The page's body as HTML, each Pagewire macro a slot of the view running the real macro frontend. */
function renderPageBody(preview: Preview, view: View, page: PageSnapshot): string {
  if (page.body?.representation !== 'atlas_doc_format') return renderStorage(page.body?.value ?? '');
  const document = JSON.parse(page.body.value) as AdfDocument;
  return renderAdfNodes(document.content, {
    extension: (node) => {
      const parameters = isPagewireMacro(node) ? macroParameters(node) : null;
      if (!parameters) return null;
      const slotId = `macro-${parameters.localId}`;
      if (!view.slotIds().includes(slotId)) addMacroSlot(preview, view, page, slotId, parameters);
      return renderMacroFrame(slotId, true);
    },
  });
}

function addMacroSlot(
  preview: Preview,
  view: View,
  page: PageSnapshot,
  slotId: string,
  parameters: { localId: string; guestParams: Record<string, unknown> },
): void {
  const { space } = preview;
  const macro = { localId: parameters.localId, pageId: page.id, config: { ...parameters.guestParams } };
  view.addSlot({
    id: slotId,
    resource: 'macro',
    moduleKey: MACRO_MODULE_KEY,
    resolver: preview.resolvers.macro,
    macro,
    extension: () => ({
      type: 'macro',
      content: { id: page.id, type: 'page' },
      space: { id: space.id, key: space.key },
      isEditing: false,
      config: { ...macro.config },
    }),
  });
}

/** The byline's page notice, on pages Pagewire manages; answers its slot id, or null. */
function addNoticeSlot(preview: Preview, view: View, page: PageSnapshot): string | null {
  // The byline item's display condition: the ownership property the publisher writes (manifest.yml).
  const managed = page.properties.some((property) => property.key === PAGE_OWNERSHIP_PROPERTY);
  if (!managed) return null;
  const noticeSlot = `notice-${page.id}`;
  if (!view.slotIds().includes(noticeSlot)) {
    const { space } = preview;
    view.addSlot({
      id: noticeSlot,
      resource: 'page-notice',
      moduleKey: PAGE_NOTICE_MODULE_KEY,
      resolver: preview.resolvers.notice,
      extension: () => ({
        type: 'confluence:contentBylineItem',
        content: { id: page.id, type: 'page' },
        space: { id: space.id, key: space.key },
      }),
    });
  }
  return noticeSlot;
}

/** The auto-refresh switch (when the page has apps) and "Insert a Pagewire block" (on ADF pages). */
function pageControls(preview: Preview, view: View, page: PageSnapshot): string {
  const insertControl =
    page.body?.representation === 'atlas_doc_format'
      ? `<button type="button" class="pw-button" data-pw-host="insert-macro" data-pw-page="${escapeHtml(page.id)}">+ Insert a Pagewire block</button>`
      : '';
  const refresh = preview.options.macroRefreshMs ?? 5_000;
  const refreshControl =
    view.slotIds().length > 0
      ? `<label class="pw-refresh"><input type="checkbox" id="pw-auto-refresh"${refresh > 0 ? ' checked' : ''} data-pw-interval="${refresh}"> Reload the macros every ${Math.round(refresh / 1000) || 5} s, as if you reloaded the page</label>`
      : '';
  return refreshControl + insertControl;
}

async function settingsScreen(
  preview: Preview,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { space } = preview;
  const persona = personaOf(preview, request);
  const pages = await sitePages(preview);
  const view = preview.views.create({ accountId: persona.accountId });
  view.addSlot({
    id: 'settings',
    resource: 'space-settings',
    moduleKey: SETTINGS_MODULE_KEY,
    resolver: preview.resolvers.settings,
    extension: () => ({ type: 'confluence:spaceSettings', space: { id: space.id, key: space.key } }),
  });
  sendHtml(
    response,
    200,
    renderFrame({
      title: 'Space settings · Pagewire',
      persona,
      personas: preview.personas,
      space,
      pages,
      current: 'settings',
      currentPageId: preview.record.statusPage.id,
      viewId: view.id,
      body: `<nav class="pw-breadcrumbs"><span>${escapeHtml(space.name)}</span> / <span>Space settings</span> / <span>Apps</span></nav><div class="pw-settings-app"><div class="pw-slot" id="slot-settings" data-pw-slot="settings"><div class="pw-app-starting">Starting the app…</div></div></div>`,
    }),
  );
}

async function emulatorScreen(
  preview: Preview,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const persona = personaOf(preview, request);
  const [pages, state] = await Promise.all([sitePages(preview), emulatorState(preview)]);
  sendHtml(
    response,
    200,
    renderFrame({
      title: 'Emulator',
      persona,
      personas: preview.personas,
      space: preview.space,
      pages,
      current: 'emulator',
      currentPageId: preview.record.statusPage.id,
      body:
        renderBackendSwitch(preview.options.backend) +
        renderEmulatorScreen(state, preview.record.serviceAccount.email),
    }),
  );
}

async function emulatorState(preview: Preview): Promise<string> {
  const { dev, installation, record } = preview;
  const [pages, requests, headroom] = await Promise.all([
    sitePages(preview),
    dev.requests({ cloudId: installation.cloudId }),
    dev.rateLimits(),
  ]);
  return renderEmulatorState({
    pages,
    requests,
    headroom,
    userName: preview.userName,
    site: { name: record.site.name, cloudId: installation.cloudId, siteUrl: installation.siteUrl },
    accounts: [
      { ...record.admin, role: 'space admin' },
      { ...record.member, role: 'member' },
      { ...record.serviceAccount, role: 'member (service account for API tokens)' },
    ],
  });
}

async function publishDraft(preview: Preview, view: View): Promise<void> {
  const changes = preview.drafts.get(view) ?? [];
  preview.drafts.delete(view);
  const byPage = new Map<string, ConfigChange[]>();
  for (const change of changes)
    byPage.set(change.macro.pageId, [...(byPage.get(change.macro.pageId) ?? []), change]);
  for (const pageChanges of byPage.values()) await saveMacroConfig(preview, pageChanges);
}

/**
 * "Insert a Pagewire block" on a page: the editor's insert menu, reduced to
 * what it leaves behind, a Forge macro node with no config yet at the end of
 * the page, saved by the person as one new version.
 */
async function insertMacro(preview: Preview, pageId: string, accountId: string): Promise<string> {
  const { installation } = preview;
  const pages = await sitePages(preview);
  const page = pages.find((candidate) => candidate.id === pageId);
  if (page?.body?.representation !== 'atlas_doc_format') {
    throw new HttpProblem('not_found', 'There is no page here to insert a macro into.');
  }
  const localId = randomUUID();
  const node = forgeMacroNode(
    {
      appId: installation.appId,
      environmentId: installation.environmentId,
      environmentType: installation.environmentType,
    },
    { localId, blockKey: '' },
  );
  // No block chosen yet: the macro says so until its settings pick one.
  (node.attrs!.parameters as { guestParams: Record<string, unknown> }).guestParams = {};
  const document = JSON.parse(page.body.value) as AdfDocument;
  await preview.dev.humanEdit(page.id, {
    body: {
      representation: 'atlas_doc_format',
      value: JSON.stringify({ ...document, content: [...document.content, node] }),
    },
    accountId,
    message: 'Inserted a Pagewire block',
  });
  return localId;
}

async function saveMacroConfig(preview: Preview, changes: readonly ConfigChange[]): Promise<PageSnapshot> {
  const first = changes[0]!;
  const pages = await sitePages(preview);
  const page = pages.find((candidate) => candidate.id === first.macro.pageId);
  if (page?.body?.representation !== 'atlas_doc_format') {
    throw new HttpProblem('not_found', 'The page holding this macro is gone.');
  }
  let document = JSON.parse(page.body.value) as AdfDocument;
  for (const change of changes) {
    document = withMacroConfig(document, change.macro.localId, change.name, change.value);
  }
  const change = first;
  // The person changing the macro saves the page, as the Confluence editor does.
  return preview.dev.humanEdit(page.id, {
    body: { representation: 'atlas_doc_format', value: JSON.stringify(document) },
    accountId: change.viewer.accountId,
    message: 'Changed a Pagewire block',
  });
}

async function act(preview: Preview, view: View, action: z.infer<typeof actionSchema>): Promise<void> {
  switch (action.type) {
    case 'event':
      if (!(await view.callHandler(action.slot, action.node, action.prop, action.value))) {
        throw new HttpProblem(
          'not_found',
          'That control is no longer on the screen; it may have just changed.',
        );
      }
      return;
    case 'select':
      if (!view.selectHostState(action.slot, action.target, action.value))
        throw new HttpProblem('not_found', 'There is no such app on this screen.');
      return;
    case 'open-config':
      await publishDraft(preview, view);
      if (!view.openConfig(action.slot))
        throw new HttpProblem('not_found', 'There is no such macro on this page.');
      return;
    case 'close-config':
      await publishDraft(preview, view);
      view.openConfig(null);
      return;
    case 'config': {
      const change = view.configChange(action.slot, action.name, action.value);
      if (!change) throw new HttpProblem('validation_failed', 'That is not one of the field’s choices.');
      // Shown at once, saved with the page when the settings close.
      preview.drafts.set(view, [...(preview.drafts.get(view) ?? []), change]);
      view.applyConfig(action.slot, change);
      return;
    }
    case 'refresh':
      view.refreshMacros();
      return;
  }
}

async function route(preview: Preview, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { space, record } = preview;
  const path = new URL(request.url ?? '/', 'http://preview.invalid').pathname;
  const method = request.method ?? 'GET';

  const asset = assets[path];
  if (asset && method === 'GET') {
    response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
    response.end(readFileSync(new URL(asset.file, assetsDir)));
    return;
  }
  if (path === '/favicon.ico') {
    response.writeHead(204);
    response.end();
    return;
  }
  if (path === '/' && method === 'GET') {
    response.writeHead(302, { location: pagePath(space.key, record.statusPage.id) });
    response.end();
    return;
  }
  const pageMatch = /^\/wiki\/spaces\/([^/]+)\/pages\/(\d{1,20})$/.exec(path);
  if (pageMatch && method === 'GET') return pageScreen(preview, request, response, pageMatch[2]!);
  if (path === settingsPath(space.key) && method === 'GET') return settingsScreen(preview, request, response);
  if (path === '/emulator' && method === 'GET') return emulatorScreen(preview, request, response);
  if (path === '/emulator/state' && method === 'GET') {
    sendHtml(response, 200, await emulatorState(preview));
    return;
  }
  if (path.startsWith('/api/')) return routeApi(preview, request, response, path, method);
  throw new HttpProblem('not_found', `There is nothing at ${path}.`);
}

/** The preview's own API: what its screens' buttons and the running views send. */
async function routeApi(
  preview: Preview,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  method: string,
): Promise<void> {
  const { options, record } = preview;
  if (path === '/api/backend' && method === 'POST') {
    const { online } = parse(backendSwitchBodySchema, await readJson(request));
    if (!options.backend) throw new HttpProblem('not_found', 'This preview cannot switch its backend.');
    await options.backend.setOnline(online);
    options.report?.(online ? 'The backend is back.' : 'The backend is down (simulated outage).');
    response.writeHead(204);
    response.end();
    return;
  }
  if (path === '/api/persona' && method === 'POST') {
    const { persona } = parse(personaBodySchema, await readJson(request));
    response.writeHead(204, {
      'set-cookie': `${PERSONA_COOKIE}=${persona}; Path=/; SameSite=Strict; HttpOnly`,
    });
    response.end();
    return;
  }
  const insertMatch = /^\/api\/pages\/(\d{1,20})\/macros$/.exec(path);
  if (insertMatch && method === 'POST') {
    await readJson(request);
    const persona = personaOf(preview, request);
    const localId = await insertMacro(preview, insertMatch[1]!, persona.accountId);
    sendJson(response, 201, {
      location: `${pagePath(preview.space.key, insertMatch[1]!)}?configure=${localId}`,
    });
    return;
  }
  if (path === '/api/api-tokens' && method === 'POST') {
    await readJson(request);
    const expiresAt = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const { token } = await preview.dev.createApiToken({
      email: record.serviceAccount.email,
      scopes: [...ALL_CONFLUENCE_SCOPES],
      expiresAt,
    });
    sendJson(response, 201, { email: record.serviceAccount.email, token, expiresAt });
    return;
  }
  const viewMatch = /^\/api\/views\/([0-9a-f-]{36})\/(events|actions)$/.exec(path);
  if (viewMatch) return routeView(preview, request, response, viewMatch[1]!, viewMatch[2]!, method);
  throw new HttpProblem('not_found', `There is nothing at ${path}.`);
}

/** A running view: its event stream to the browser, and the actions the browser sends it. */
async function routeView(
  preview: Preview,
  request: IncomingMessage,
  response: ServerResponse,
  viewId: string,
  channel: string,
  method: string,
): Promise<void> {
  const view = preview.views.get(viewId);
  if (!view) throw new HttpProblem('not_found', 'This view has closed; reload the page.');
  if (channel === 'events' && method === 'GET') {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    view.attach(response);
    return;
  }
  if (channel === 'actions' && method === 'POST') {
    await act(preview, view, parse(actionSchema, await readJson(request)));
    response.writeHead(204);
    response.end();
    return;
  }
  throw new HttpProblem('method_not_allowed', 'Use GET for events and POST for actions.');
}
