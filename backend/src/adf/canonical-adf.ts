import { createHash } from 'node:crypto';
import { type AdfDocument, type AdfNode, canonicalJson } from '@pagewire/shared';

/**
 * Canonical JSON for ADF: the shared `canonicalJson` of the document after
 * `normaliseAdf` (marks sorted, empty `attrs`/`marks`/`content` dropped). Two
 * documents that differ only in key order or mark order (what different
 * producers emit for the same content) serialise to the same string, so their
 * hashes agree.
 */
export function canonicalAdfJson(document: AdfDocument | AdfNode): string {
  return canonicalJson(normaliseAdf(document));
}

/** SHA-256 over the canonical JSON, hex: "unchanged" means this hash did not move. */
export function hashAdf(document: AdfDocument | AdfNode): string {
  return sha256(canonicalAdfJson(document));
}

/**
 * What a page publish writes, as one hash: the canonical body plus the title
 * and the labels Pagewire sets. A changed title is a change even when the
 * body is the same; label order is not. The envelope keeps the key order
 * (title, labels, body) the first hashes were taken with: stored hashes of
 * earlier writes must still match, or every page would be re-published once.
 */
export function hashPageContent(input: {
  title: string;
  document: AdfDocument;
  labels?: readonly string[];
}): string {
  const labels = [...new Set(input.labels ?? [])].sort();
  return sha256(
    `{"title":${JSON.stringify(input.title)},"labels":${JSON.stringify(labels)},"body":${canonicalAdfJson(input.document)}}`,
  );
}

/**
 * Canonical JSON of a value that holds ADF documents anywhere inside (a
 * snapshot property's value): keys sorted, each document normalised.
 */
export function canonicalJsonWithAdf(value: unknown): string {
  return canonicalJson(normaliseEmbeddedAdf(value));
}

function normaliseEmbeddedAdf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(normaliseEmbeddedAdf);
  const record = value as Record<string, unknown>;
  if (record.type === 'doc' && Array.isArray(record.content)) return normaliseAdf(record);
  return Object.fromEntries(Object.entries(record).map(([key, child]) => [key, normaliseEmbeddedAdf(child)]));
}

/** The ADF-specific part of canonical form; key order is `canonicalJson`'s business. */
function normaliseAdf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseAdf);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (child === undefined) continue;
    if ((key === 'marks' || key === 'content') && Array.isArray(child) && child.length === 0) continue;
    if (key === 'attrs' && isEmptyObject(child)) continue;
    out[key] =
      key === 'marks' && Array.isArray(child) ? sortMarks(child.map(normaliseAdf)) : normaliseAdf(child);
  }
  return out;
}

/** Marks are a set; ordered by their canonical JSON (localeCompare, as the first stored hashes were). */
function sortMarks(marks: unknown[]): unknown[] {
  return marks
    .map((mark) => ({ mark, json: canonicalJson(mark) }))
    .sort((a, b) => a.json.localeCompare(b.json))
    .map(({ mark }) => mark);
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Whether `stored` is what Confluence keeps after being sent `sent`: every node
 * of `sent` is at the same place in `stored` with the same type, text and
 * marks, and every attribute `sent` set has the same value (Confluence may add
 * attributes of its own, such as `localId`s, on save). Used after a crash or an
 * ambiguous write to tell "our write landed" from "someone else wrote".
 */
export function isAdfContainedIn(
  sentRoot: AdfNode | AdfDocument,
  storedRoot: AdfNode | AdfDocument,
): boolean {
  const sent = sentRoot as AdfNode;
  const stored = storedRoot as AdfNode;
  if (sent.type !== stored.type) return false;
  if (sent.text !== stored.text) return false;
  const sentAttrs = sent.attrs ?? {};
  const storedAttrs = stored.attrs ?? {};
  for (const [key, value] of Object.entries(sentAttrs)) {
    if (!sameAttribute(value, storedAttrs[key])) return false;
  }
  const sentMarks = (sent.marks ?? []).map((mark) => mark.type).sort();
  const storedMarks = (stored.marks ?? [])
    .map((mark) => mark.type)
    .filter((type) => type !== 'annotation')
    .sort();
  if (sentMarks.join() !== storedMarks.join()) return false;
  const sentContent = sent.content ?? [];
  const storedContent = stored.content ?? [];
  if (sentContent.length !== storedContent.length) return false;
  return sentContent.every((child, index) => isAdfContainedIn(child, storedContent[index]!));
}

function sameAttribute(sent: unknown, stored: unknown): boolean {
  if (sent === undefined || stored === undefined) return sent === stored;
  return canonicalJson(normaliseAdf(sent)) === canonicalJson(normaliseAdf(stored));
}
