import { Button, SectionMessage, Text } from '@forge/react';
import type { ResolverError } from '@pagewire/shared';
import { formatDateTime } from '../time-display';

/** Codes where waiting is the whole remedy: a warning, not an error. */
const transientCodes = new Set<ResolverError['code']>([
  'rate_limited',
  'confluence_rate_limited',
  'backend_timeout',
  'backend_unreachable',
  'service_unavailable',
  'confluence_unavailable',
  'jwks_unavailable',
]);

export interface ResolverErrorMessageProps {
  title: string;
  error: ResolverError;
  /** Offered as "Try again" unless the error says to wait until a time. */
  onRetry?: () => void;
}

/** What happened, what to do, and (where it helps) a way to try again. */
export function ResolverErrorMessage({ title, error, onRetry }: ResolverErrorMessageProps) {
  const transient = transientCodes.has(error.code);
  return (
    <SectionMessage appearance={transient ? 'warning' : 'error'} title={title} testId="pagewire-error">
      <Text>{error.message}</Text>
      {error.retryAt ? (
        <Text size="small">{`Pagewire can try again after ${formatDateTime(error.retryAt)}.`}</Text>
      ) : null}
      {onRetry && !error.retryAt ? (
        <Button appearance="default" iconBefore="refresh" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </SectionMessage>
  );
}
