import type { ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import type { FieldError } from '../errors/problem';
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
  let check: ValidateFunction | undefined;
  return {
    validate(document) {
      // allErrors=false: the first failure is enough to refuse a document, and it is
      // several times faster on large pages. strict=false: the schema uses draft-04
      // keywords Ajv's strict mode would warn about.
      check ??= new AjvDraft04({ allErrors: false, strict: false, validateFormats: false }).compile(
        adfJsonSchema,
      );
      if (check(document)) return { valid: true };
      const errors = (check.errors ?? []).slice(0, 10).map((error) => ({
        path: error.instancePath,
        message: error.message ?? 'is not valid ADF',
      }));
      return { valid: false, errors };
    },
  };
}
