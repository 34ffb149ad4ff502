import { Inline, Link, Lozenge, Stack, Text } from '@forge/react';
import type { BlockBodyPresentation } from '@pagewire/shared';
import { lozengeFor } from './block-tones';
import { TableBlock } from './table-block';

export function StatusBlock({ status }: { status: Extract<BlockBodyPresentation, { kind: 'status' }> }) {
  return (
    <Stack space="space.150">
      <Inline space="space.150" alignBlock="center">
        <Lozenge appearance={lozengeFor(status.headline.tone)} isBold>
          {status.headline.text}
        </Lozenge>
        {status.details ? (
          <Link href={status.details.href} openNewTab>
            {status.details.text}
          </Link>
        ) : null}
      </Inline>
      {status.summary ? <Text>{status.summary}</Text> : null}
      {status.components ? <TableBlock table={status.components} /> : null}
    </Stack>
  );
}
