import { createHash } from 'node:crypto';
import type { AdfDocument, AdfNode } from '@pagewire/shared';

/**
 * Canonical JSON for ADF: object keys sorted, `marks` sorted by type, empty
 * `attrs`/`marks`/`content` arrays dropped. Two documents that differ only in
 * key order or mark order (what different producers emit for the same content)
 * serialise to the same string, so their hashes agree.
 */
export function canonicalAdfJson(document: AdfDocument | AdfNode): string {
  return JSON.stringify(canonicalise(document));
}

/** SHA-256 over the canonical JSON, hex: "unchanged" means this hash did not move. */
export function hashAdf(document: AdfDocument | AdfNode): string {
  return createHash('sha256').update(canonicalAdfJson(document)).digest('hex');
}

/**
 * What a page publish writes, as one hash: the canonical body plus the title
 * and the labels Pagewire sets. A changed title is a change even when the
 * body is the same; label order is not.
 */
export function hashPageContent(input: {
  title: string;
  document: AdfDocument;
  labels?: readonly string[];
}): string {
  const labels = [...new Set(input.labels ?? [])].sort();
  return createHash('sha256')
    .update(JSON.stringify({ title: input.title, labels, body: canonicalise(input.document) }))
    .digest('hex');
}

function canonicalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalise);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    const child = record[key];
    if (child === undefined) continue;
    if ((key === 'marks' || key === 'content') && Array.isArray(child) && child.length === 0) continue;
    if (key === 'attrs' && isEmptyObject(child)) continue;
    if (key === 'marks' && Array.isArray(child)) {
      out[key] = child.map(canonicalise).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      continue;
    }
    out[key] = canonicalise(child);
  }
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
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
    if (JSON.stringify(canonicalise(value)) !== JSON.stringify(canonicalise(storedAttrs[key]))) return false;
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
