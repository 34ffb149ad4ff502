import { SectionMessage, Text, useConfig, useProductContext } from '@forge/react';
import type { OperationResult } from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { macroConfigFrom } from '../../macro-config';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { BlockView } from './block-view';

export interface MacroAppProps {
  /** The clock behind "updated 3 min ago"; a parameter so a preview or a test can fix it. */
  now?: () => Date;
}

type Load = { status: 'loading' } | { status: 'done'; result: OperationResult<'blocks.get'> };

/**
 * The macro on a page: the configured block, or a clear word on why there is
 * none. Reads its config with `useConfig` (the hook that follows config edits,
 * @forge/react ≥ 11); the product context only tells it when the config has
 * loaded, because a macro nobody configured has no config at all.
 */
export function MacroApp({ now = () => new Date() }: MacroAppProps) {
  const liveConfig = useConfig();
  const context = useProductContext();
  const loaded = liveConfig !== undefined || context !== undefined;
  const config = macroConfigFrom(liveConfig ?? context?.extension?.config);
  const blockKey = config.blockKey;

  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` re-runs the load when the reader asks to try again.
  useEffect(() => {
    if (!blockKey) return;
    let current = true;
    setLoad({ status: 'loading' });
    void invokeOperation('blocks.get', { key: blockKey }).then((result) => {
      if (current) setLoad({ status: 'done', result });
    });
    // A config change while a request is in flight must not show the old block.
    return () => {
      current = false;
    };
  }, [blockKey, attempt]);

  if (!loaded) return <LoadingSkeleton />;
  if (!blockKey) return <NotConfigured />;
  if (load.status === 'loading') return <LoadingSkeleton />;
  if (!load.result.ok) {
    const { error } = load.result;
    return (
      <ResolverErrorMessage
        title="This Pagewire block can’t be shown"
        error={error}
        // Retrying cannot bring back a deleted block; editing the macro can.
        {...(error.code === 'block_not_found' || error.code === 'block_deleted'
          ? {}
          : { onRetry: () => setAttempt((count) => count + 1) })}
      />
    );
  }
  return <BlockView result={load.result.data} config={config} now={now()} />;
}

function NotConfigured() {
  return (
    <SectionMessage appearance="information" title="Choose a block to show" testId="pagewire-not-configured">
      <Text>
        Edit the page, select this Pagewire macro and choose the pencil icon to pick one of this space’s
        blocks.
      </Text>
    </SectionMessage>
  );
}
