import type { Headroom, PageSnapshot, RequestLogEntry } from '@pagewire/devkit';
import { attributes, escapeHtml } from './html';

/**
 * The preview's screens as HTML: a Confluence-like frame (top bar, space
 * sidebar, content) around the page body and the UI Kit apps. Apps arrive in
 * their slots over the view's event stream (preview-client.js).
 */
export interface Persona {
  readonly id: 'admin' | 'member';
  readonly accountId: string;
  readonly displayName: string;
  readonly role: string;
}

export interface FrameInput {
  readonly title: string;
  readonly persona: Persona;
  readonly personas: readonly Persona[];
  readonly space: { key: string; name: string };
  readonly pages: readonly PageSnapshot[];
  readonly current: 'page' | 'settings' | 'emulator';
  readonly currentPageId?: string;
  readonly viewId?: string;
  readonly body: string;
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function pagePath(spaceKey: string, pageId: string): string {
  return `/wiki/spaces/${encodeURIComponent(spaceKey)}/pages/${encodeURIComponent(pageId)}`;
}

export function settingsPath(spaceKey: string): string {
  return `/wiki/spaces/${encodeURIComponent(spaceKey)}/settings/pagewire`;
}

function pageTree(input: FrameInput): string {
  const current = input.pages.filter(
    (page) => page.status === 'current' && page.spaceKey === input.space.key,
  );
  const ids = new Set(current.map((page) => page.id));
  const childrenOf = (parentId: string | null): PageSnapshot[] =>
    current.filter((page) =>
      parentId === null ? page.parentId === null || !ids.has(page.parentId) : page.parentId === parentId,
    );
  const branch = (parentId: string | null): string => {
    const items = childrenOf(parentId);
    if (items.length === 0) return '';
    return `<ul>${items
      .map(
        (page) =>
          `<li><a${attributes({ href: pagePath(input.space.key, page.id), 'aria-current': page.id === input.currentPageId ? 'page' : undefined })}>${escapeHtml(page.title)}</a>${branch(page.id)}</li>`,
      )
      .join('')}</ul>`;
  };
  return branch(null);
}

export function renderFrame(input: FrameInput): string {
  const options = input.personas
    .map(
      (persona) =>
        `<option${attributes({ value: persona.id, selected: persona.id === input.persona.id })}>${escapeHtml(persona.displayName)} (${escapeHtml(persona.role)})</option>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)} · Pagewire local preview</title>
<link rel="stylesheet" href="/assets/preview.css">
<script src="/assets/preview-client.js" defer></script>
</head>
<body${attributes({ 'data-pw-view': input.viewId })}>
<header class="pw-topbar">
  <a class="pw-brand" href="/">Confluence <span>local preview</span></a>
  <nav class="pw-topnav">
    <a href="${pagePath(input.space.key, input.currentPageId ?? '')}"${input.current === 'page' ? ' aria-current="page"' : ''} data-pw-nav="pages">Pages</a>
    <a href="${settingsPath(input.space.key)}"${input.current === 'settings' ? ' aria-current="page"' : ''}>Space settings · Pagewire</a>
    <a href="/emulator"${input.current === 'emulator' ? ' aria-current="page"' : ''}>Emulator</a>
  </nav>
  <label class="pw-persona">Viewing as
    <select id="pw-persona" aria-label="Viewing as">${options}</select>
  </label>
</header>
<div class="pw-layout">
  <nav class="pw-sidebar" aria-label="Space">
    <div class="pw-space"><span class="pw-space-icon" aria-hidden="true">${escapeHtml(input.space.key.slice(0, 2))}</span><div><strong>${escapeHtml(input.space.name)}</strong><small>${escapeHtml(input.space.key)}</small></div></div>
    <h2>Pages</h2>
    ${pageTree(input)}
    <h2>Space settings</h2>
    <ul><li><a href="${settingsPath(input.space.key)}"${input.current === 'settings' ? ' aria-current="page"' : ''}>Pagewire</a></li></ul>
  </nav>
  <main class="pw-main">${input.body}</main>
  <div id="pw-config-host"></div>
</div>
<div id="pw-flags" aria-live="polite"></div>
</body>
</html>`;
}

/** `noticeSlot`: the page notice's slot when the page carries Pagewire's ownership property (a byline item, as in Confluence). */
export function renderByline(
  page: PageSnapshot,
  userName: (accountId: string) => string,
  noticeSlot: string | null = null,
): string {
  const first = page.versions[0];
  const created = first ? `Created by ${escapeHtml(userName(first.authorId))}` : '';
  const notice =
    noticeSlot === null
      ? ''
      : ` · <details class="pw-byline-item" data-testid="pw-page-notice"><summary title="Pagewire publishes this page from a source system. Open to see what an edit here does.">Published from a source</summary><div class="pw-byline-popup" data-pw-slot="${escapeHtml(noticeSlot)}"><div class="pw-slot" id="slot-${escapeHtml(noticeSlot)}"><div class="pw-app-starting">Starting the app…</div></div></div></details>`;
  return `<p class="pw-byline">${created} · Last updated ${escapeHtml(formatTime(page.version.createdAt))} by ${escapeHtml(userName(page.version.authorId))} · <a href="/emulator#page-${escapeHtml(page.id)}" data-testid="pw-page-version">version ${page.version.number}</a>${notice}</p>`;
}

export function renderMacroFrame(slotId: string, canEdit: boolean): string {
  return `<div class="pw-macro" data-pw-slot="${escapeHtml(slotId)}"><div class="pw-macro-toolbar">${
    canEdit
      ? `<button type="button" class="pw-button pw-button--subtle" data-pw-host="open-config" aria-label="Edit this Pagewire block">✎ Edit</button>`
      : ''
  }</div><div class="pw-slot" id="slot-${escapeHtml(slotId)}"><div class="pw-app-starting">Starting the app…</div></div></div>`;
}

export interface EmulatorScreenInput {
  readonly pages: readonly PageSnapshot[];
  readonly requests: readonly RequestLogEntry[];
  readonly headroom: readonly Headroom[];
  readonly userName: (accountId: string) => string;
  readonly accounts: ReadonlyArray<{ displayName: string; email: string; accountId: string; role: string }>;
  readonly site: { name: string; cloudId: string; siteUrl: string };
}

export function renderEmulatorState(input: EmulatorScreenInput): string {
  const pages = input.pages
    .map(
      (page) =>
        `<tr id="page-${escapeHtml(page.id)}"><td>${escapeHtml(page.id)}</td><td>${escapeHtml(page.title)}</td><td>${escapeHtml(page.status)}</td><td>${page.version.number}</td><td><ol class="pw-versions">${page.versions
          .map(
            (version) =>
              `<li>v${version.number} · ${escapeHtml(formatTime(version.createdAt))} · ${escapeHtml(input.userName(version.authorId))}</li>`,
          )
          .join(
            '',
          )}</ol></td><td>${page.properties.map((property) => `<code class="pw-code">${escapeHtml(property.key)}</code> v${property.version}`).join('<br>') || '—'}</td><td>${escapeHtml(page.labels.join(', ') || '—')}</td></tr>`,
    )
    .join('');
  const requests = [...input.requests]
    .reverse()
    .slice(0, 60)
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.time.slice(11, 23))}</td><td>${escapeHtml(entry.method)}</td><td class="pw-path">${escapeHtml(entry.path)}${entry.query ? `?${escapeHtml(entry.query)}` : ''}</td><td><span class="pw-http pw-http--${Math.floor(entry.status / 100)}xx">${entry.status}</span></td><td>${escapeHtml(entry.credential)}</td><td>${escapeHtml(entry.operationId ?? '—')}</td><td>${entry.durationMs} ms</td></tr>`,
    )
    .join('');
  const headroom = input.headroom
    .map((entry) => {
      const quota = entry.quota
        ? `${entry.quota.remaining} / ${entry.quota.limit} points (resets ${escapeHtml(entry.quota.resetAt)})`
        : 'not counted';
      const burst = entry.burst
        ? `${entry.burst.remaining} / ${entry.burst.limit} per second`
        : 'not limited';
      return `<tr><td>${escapeHtml(entry.kind)}</td><td><code class="pw-code">${escapeHtml(entry.credentialId)}</code></td><td>${burst}</td><td>${quota}</td></tr>`;
    })
    .join('');
  const accounts = input.accounts
    .map(
      (account) =>
        `<tr><td>${escapeHtml(account.displayName)}</td><td>${escapeHtml(account.email)}</td><td>${escapeHtml(account.role)}</td><td><code class="pw-code">${escapeHtml(account.accountId)}</code></td></tr>`,
    )
    .join('');
  return `<section class="pw-panel-section"><h2>Site</h2><p>Site <strong>${escapeHtml(input.site.name)}</strong> · cloud id <code class="pw-code">${escapeHtml(input.site.cloudId)}</code> · site URL <code class="pw-code">${escapeHtml(input.site.siteUrl)}</code></p>
<table class="pw-table"><thead><tr><th>Person</th><th>Email</th><th>In space ENG</th><th>Account id</th></tr></thead><tbody>${accounts}</tbody></table></section>
<section class="pw-panel-section"><h2>Pages and their versions</h2><table class="pw-table" data-testid="pw-emulator-pages"><thead><tr><th>Id</th><th>Title</th><th>Status</th><th>Version</th><th>History</th><th>Content properties</th><th>Labels</th></tr></thead><tbody>${pages}</tbody></table></section>
<section class="pw-panel-section"><h2>Rate-limit headroom</h2>${headroom ? `<table class="pw-table" data-testid="pw-emulator-headroom"><thead><tr><th>Credential</th><th>Id</th><th>Burst</th><th>Hourly quota</th></tr></thead><tbody>${headroom}</tbody></table>` : '<p>No credential has called Confluence yet.</p>'}</section>
<section class="pw-panel-section"><h2>Request log (newest first)</h2><table class="pw-table pw-table--compact" data-testid="pw-emulator-requests"><thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>Credential</th><th>Operation</th><th>Took</th></tr></thead><tbody>${requests}</tbody></table></section>`;
}

export function renderEmulatorScreen(state: string, serviceAccountEmail: string): string {
  return `<h1 class="pw-page-title">Emulator</h1>
<p class="pw-lede">The offline twin of Confluence Cloud and Forge behind this preview. This view refreshes itself every few seconds.</p>
<section class="pw-panel-section" data-testid="pw-token-maker"><h2>Create a scoped API token</h2>
<p>Stands in for id.atlassian.com → Security → API tokens, for the service account <strong>${escapeHtml(serviceAccountEmail)}</strong>, with every Confluence scope Pagewire asks for. Paste it under Space settings → Pagewire → Connection. It is shown once.</p>
<button type="button" class="pw-button pw-button--primary" id="pw-make-token">Create a scoped API token</button>
<div id="pw-new-token"></div></section>
<div id="pw-emulator-state">${state}</div>`;
}
