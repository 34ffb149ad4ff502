import type { ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import type { FieldError } from '../errors/problem';
import { MAX_ADF_ERRORS, type NodeCheck, summariseAdfErrors } from './adf-error-summary';
import adfJsonSchema from './adf-schema.json' with { type: 'json' };

/**
 * Validates ADF against Atlassian's published JSON schema (draft-04), the file
 * `json-schema/v1/full.json` of `@atlaskit/adf-schema`, vendored as
 * `adf-schema.json` under its Apache-2.0 licence (see NOTICE next to it).
 * Vendoring keeps the browser-editor dependency tree of `@atlaskit/adf-schema`
 * out of the backend and the devkit.
 */
export type AdfValidation = { valid: true } | { valid: false; errors: FieldError[] };

export interface AdfValidator {
  validate(document: unknown): AdfValidation;
}

/**
 * Compiling the schema takes the better part of a second (a third of the
 * backend's start-up when done eagerly, docs/BENCHMARKS.md), so it happens on
 * the first `validate`, once per validator.
 */
export function createAdfValidator(): AdfValidator {
  let ajv: AjvDraft04 | undefined;
  let check: ValidateFunction | undefined;
  let blockCheck: ValidateFunction | undefined;
  const nodeChecks = new Map<string, ValidateFunction>();
  const definitions = (adfJsonSchema as { definitions: Record<string, unknown> }).definitions;
  // Only on a refused document: explains one node against its own type's definition.
  const checkNode: NodeCheck = (type, node) => {
    const name = `${type}_node`;
    if (!Object.hasOwn(definitions, name)) return null;
    let nodeCheck = nodeChecks.get(name);
    if (nodeCheck === undefined) {
      nodeCheck = ajv!.compile({ $ref: `adf#/definitions/${name}` });
      nodeChecks.set(name, nodeCheck);
    }
    return nodeCheck(node) ? [] : (nodeCheck.errors ?? []);
  };
  return {
    validate(document) {
      // allErrors=false: the first failure is enough to refuse a document, and it is
      // several times faster on large pages. strict=false: the schema uses draft-04
      // keywords Ajv's strict mode would warn about.
      if (check === undefined) {
        ajv = new AjvDraft04({ allErrors: false, strict: false, validateFormats: false });
        ajv.addSchema(adfJsonSchema, 'adf');
        check = ajv.getSchema('adf')!;
      }
      if (check(document)) return { valid: true };
      const rootErrors = check.errors ?? [];
      // The check stops at the first bad top-level node; a source is better served by the first few.
      const content = (document as { content?: unknown }).content;
      if (Array.isArray(content) && rootErrors.every((error) => error.instancePath.startsWith('/content/'))) {
        blockCheck ??= ajv!.compile({ $ref: 'adf#/definitions/doc_node/properties/content/items' });
        const errors: FieldError[] = [];
        for (let index = 0; index < content.length && errors.length < MAX_ADF_ERRORS; index++) {
          if (blockCheck(content[index])) continue;
          const prefixed = (blockCheck.errors ?? []).map((error) => ({
            ...error,
            instancePath: `/content/${index}${error.instancePath}`,
          }));
          errors.push(...summariseAdfErrors(prefixed, document, checkNode));
        }
        if (errors.length > 0) return { valid: false, errors: errors.slice(0, MAX_ADF_ERRORS) };
      }
      return { valid: false, errors: summariseAdfErrors(rootErrors, document, checkNode) };
    },
  };
}
