import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Confluence answers 413 above 5 MB on create and update (v2 OpenAPI spec,
 * `createPage` 413: "over 5 MB"); the same cap protects the Dev API.
 */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export type BodyRead = { kind: 'ok'; bytes: Buffer } | { kind: 'too_large' } | { kind: 'aborted' };

export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        // Keep draining so the client sees the 413 instead of a reset socket.
        chunks.length = 0;
        settle({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () =>
      settle({ kind: 'ok', bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }),
    );
    request.on('error', () => settle({ kind: 'aborted' }));
    request.on('aborted', () => settle({ kind: 'aborted' }));
  });
}

/**
 * A request body as the emulator's handlers see it: parsed JSON, nothing, or
 * (for v1 attachment uploads only) the parts of a `multipart/form-data` body.
 */
export type JsonParse =
  | { kind: 'ok'; value: unknown }
  | { kind: 'empty' }
  | { kind: 'malformed' }
  | MultipartBody;

export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

export interface MultipartBody {
  readonly kind: 'multipart';
  readonly files: readonly MultipartFile[];
  readonly fields: ReadonlyMap<string, string>;
  /** Whether the request carried `X-Atlassian-Token: no-check` (Confluence's XSRF check for multipart). */
  readonly xsrfNoCheck: boolean;
}

export function isMultipartContentType(request: IncomingMessage): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.split(';', 1)[0]!.trim().toLowerCase() === 'multipart/form-data';
}

/** Parses a multipart body with the platform's own parser (undici's `Response.formData`). */
export async function parseMultipart(request: IncomingMessage, bytes: Buffer): Promise<JsonParse> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(bytes), {
      headers: { 'content-type': String(request.headers['content-type']) },
    }).formData();
  } catch {
    return { kind: 'malformed' };
  }
  const fields = new Map<string, string>();
  const blobs: { field: string; file: File }[] = [];
  form.forEach((value, field) => {
    if (typeof value === 'string') fields.set(field, value);
    else blobs.push({ field, file: value });
  });
  const files: MultipartFile[] = [];
  for (const { field, file } of blobs) {
    files.push({
      field,
      filename: file.name,
      contentType: file.type,
      bytes: Buffer.from(await file.arrayBuffer()),
    });
  }
  const token = request.headers['x-atlassian-token'];
  const xsrfNoCheck = token === 'no-check' || token === 'nocheck';
  return { kind: 'multipart', files, fields, xsrfNoCheck };
}

export function parseJson(bytes: Buffer): JsonParse {
  if (bytes.length === 0) return { kind: 'empty' };
  try {
    return { kind: 'ok', value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { kind: 'malformed' };
  }
}

export function isJsonContentType(request: IncomingMessage): boolean {
  const type = request.headers['content-type'];
  if (!type) return false;
  const base = type.split(';', 1)[0]!.trim().toLowerCase();
  return base === 'application/json' || base.endsWith('+json');
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  headers['content-type'] = `${contentType}; charset=utf-8`;
  headers['content-length'] = Buffer.byteLength(text);
  response.writeHead(status, headers);
  response.end(text);
}

export function sendEmpty(response: ServerResponse, status: number, headers: OutgoingHttpHeaders = {}): void {
  headers['content-length'] = 0;
  response.writeHead(status, headers);
  response.end();
}
