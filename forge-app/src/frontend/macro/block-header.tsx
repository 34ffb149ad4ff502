import { Heading, Inline, Lozenge, Stack, Text, Tooltip } from '@forge/react';
import type { BlockHeaderPresentation } from '@pagewire/shared';

/** Title, and how fresh the facts are: the first thing a reader should be able to trust. */
export function BlockHeader({ header }: { header: BlockHeaderPresentation }) {
  return (
    <Stack space="space.050">
      <Inline spread="space-between" alignBlock="center" space="space.100">
        {header.title !== undefined ? (
          <Heading as="h3" size="small">
            {header.title}
          </Heading>
        ) : null}
        <Inline space="space.075" alignBlock="center">
          {header.stale ? <Lozenge appearance="moved">{header.stale.label}</Lozenge> : null}
          <Tooltip content={header.provenance}>
            <Text size="small" color="color.text.subtlest" testId="pagewire-freshness">
              {header.updated}
            </Text>
          </Tooltip>
        </Inline>
      </Inline>
      {header.stale ? (
        <Text size="small" color="color.text.warning">
          {header.stale.message}
        </Text>
      ) : null}
    </Stack>
  );
}
