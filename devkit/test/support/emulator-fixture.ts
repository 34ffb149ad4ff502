import { basicAuthorization, type SeededSite } from '../../src/client/dev-api-client';

export { declareEmulator } from '../../src/testing/declare-emulator';

export interface CallOptions {
  readonly method?: string;
  readonly authorization?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back and assert on it
  readonly json: any;
}

export async function call(url: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.authorization) headers.authorization = options.authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The admin's scoped token, as the backend would send it to the gateway. */
export function scopedAuth(site: SeededSite): string {
  return basicAuthorization(site.admin.email, site.scopedToken);
}

export function classicAuth(site: SeededSite): string {
  return basicAuthorization(site.admin.email, site.classicToken);
}

export function bearer(token: string): string {
  return `Bearer ${token}`;
}

export function storageBody(value: string) {
  return { representation: 'storage', value };
}

export function adfBody(document: unknown) {
  return { representation: 'atlas_doc_format', value: JSON.stringify(document) };
}

export function paragraphDoc(text: string) {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

export async function createPage(
  site: SeededSite,
  input: { title: string; body?: unknown; parentId?: string; authorization?: string },
): Promise<CallResult> {
  return call(`${site.gatewayUrl}/wiki/api/v2/pages`, {
    method: 'POST',
    authorization: input.authorization ?? scopedAuth(site),
    body: {
      spaceId: site.space.id,
      status: 'current',
      title: input.title,
      ...(input.parentId ? { parentId: input.parentId } : {}),
      body: input.body ?? storageBody(`<p>${input.title}</p>`),
    },
  });
}
