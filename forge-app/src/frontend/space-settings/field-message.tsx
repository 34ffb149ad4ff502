import { ErrorMessage, HelperMessage } from '@forge/react';
import type { ResolverError } from '@pagewire/shared';
import type { ReactNode } from 'react';
import { fieldError } from './field-errors';

export interface FieldMessageProps {
  /** The last save's error; its field errors name inputs by path (`/email`). */
  error: ResolverError | undefined;
  path: string;
  /** Help shown while the input has no error; none when absent. */
  children?: ReactNode;
}

/** What goes under an input: the resolver's message for it, or else its help. */
export function FieldMessage({ error, path, children }: FieldMessageProps) {
  const message = fieldError(error, path);
  if (message !== undefined) return <ErrorMessage>{message}</ErrorMessage>;
  return children === undefined ? null : <HelperMessage>{children}</HelperMessage>;
}
