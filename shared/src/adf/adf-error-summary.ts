import type { ErrorObject } from 'ajv';
import type { FieldError } from '../errors/problem';

/** A source fixes a document a few mistakes at a time; more lines only repeat the same cause. */
export const MAX_ADF_ERRORS = 3;

/**
 * Checks one node against its own type's definition in Atlassian's schema:
 * `[]` when the node is a valid node of its type, its errors otherwise, and
 * null when the schema has no such node type.
 */
export type NodeCheck = (type: string, node: unknown) => readonly ErrorObject[] | null;

/**
 * Turns Ajv's errors for an ADF document into the few that help. Atlassian's
 * schema tries every node type an `anyOf` allows, so one wrong node yields a
 * dozen errors, one per type it is not ("must be equal to one of the allowed
 * values" over and over). Instead, each innermost node that matched none of
 * the types allowed where it is gets one explanation: its type is unknown, or
 * it is a valid node of its type in a place that type is not allowed, or what
 * its own type's definition says is wrong with it.
 */
export function summariseAdfErrors(
  errors: readonly ErrorObject[],
  document: unknown,
  checkNode: NodeCheck,
): FieldError[] {
  const failedNodes = [
    ...new Set(errors.filter((error) => error.keyword === 'anyOf').map((error) => error.instancePath)),
  ]
    .sort((a, b) => depthOf(b) - depthOf(a))
    // A node fails because a node inside it does: report the innermost only.
    .filter((path, _index, all) => !all.some((other) => other !== path && other.startsWith(`${path}/`)));

  const summary: FieldError[] = [];
  for (const path of failedNodes) {
    if (summary.length >= MAX_ADF_ERRORS) break;
    const node = valueAt(document, path);
    const type = (node as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') {
      summary.push({ path, message: 'is not an ADF node: it needs a "type"' });
      continue;
    }
    const own = checkNode(type, node);
    if (own === null) {
      summary.push({ path: `${path}/type`, message: `"${type}" is not an ADF node type` });
    } else if (own.length === 0) {
      const parentType = (valueAt(document, parentNodePath(path)) as { type?: unknown } | null)?.type;
      summary.push({
        path,
        message:
          typeof parentType === 'string'
            ? `a "${type}" node is not allowed inside "${parentType}"`
            : `a "${type}" node is not allowed here`,
      });
    } else {
      for (const error of distinct(own.map((error) => describe(error, path)))) {
        if (summary.length >= MAX_ADF_ERRORS) break;
        summary.push(error);
      }
    }
  }
  if (summary.length > 0) return summary;
  // No node-type choice failed (a wrong root, say): the plain errors, without repeats.
  return distinct(
    errors.filter((error) => error.keyword !== 'anyOf').map((error) => describe(error, '')),
  ).slice(0, MAX_ADF_ERRORS);
}

function describe(error: ErrorObject, prefix: string): FieldError {
  const path = `${prefix}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required')
    return { path, message: `is missing "${String(params.missingProperty)}"` };
  if (error.keyword === 'additionalProperties') {
    return { path, message: `has "${String(params.additionalProperty)}", which this node does not take` };
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return { path, message: `must be one of ${params.allowedValues.map(String).join(', ')}` };
  }
  return { path, message: error.message ?? 'is not valid ADF' };
}

function distinct(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const id = `${error.path}\u0000${error.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function depthOf(path: string): number {
  return path === '' ? 0 : path.split('/').length - 1;
}

/** `/content/0/content/1` → `/content/0`: the node whose `content` holds this one. */
function parentNodePath(path: string): string {
  return path.split('/').slice(0, -2).join('/');
}

/** The value at a JSON pointer (RFC 6901) in the document, or undefined. */
function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
