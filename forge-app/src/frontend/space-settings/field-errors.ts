import type { ResolverError } from '@pagewire/shared';

/** The message for one input, from a `validation_failed` error's field errors (`/email`, `/token`…). */
export function fieldError(error: ResolverError | undefined, path: string): string | undefined {
  return error?.fieldErrors?.find((fieldError) => fieldError.path === path)?.message;
}

/** True when every field error belongs to an input on the form, so no separate banner is needed. */
export function onlyFieldErrors(error: ResolverError | undefined, paths: readonly string[]): boolean {
  if (!error?.fieldErrors || error.fieldErrors.length === 0) return false;
  return error.fieldErrors.every((fieldError) => paths.includes(fieldError.path));
}

/** Reads a UI Kit input event's value (events cross the bridge serialised). */
export function inputValue(event: { target: { value?: unknown } }): string {
  return event.target.value === undefined || event.target.value === null ? '' : String(event.target.value);
}
