import { Heading, Inline, Lozenge, Stack, Text, Tooltip } from '@forge/react';
import type { Block } from '@pagewire/shared';
import { describeAge, formatDateTime } from '../time-display';

export interface BlockHeaderProps {
  block: Block;
  stale: boolean;
  staleAfterMinutes: number;
  showTitle: boolean;
  now: Date;
}

/** Title, and how fresh the facts are: the first thing a reader should be able to trust. */
export function BlockHeader({ block, stale, staleAfterMinutes, showTitle, now }: BlockHeaderProps) {
  const updated = `Updated ${describeAge(block.updatedAt, now)}`;
  return (
    <Stack space="space.050">
      <Inline spread="space-between" alignBlock="center" space="space.100">
        {showTitle ? (
          <Heading as="h3" size="small">
            {block.title}
          </Heading>
        ) : null}
        <Inline space="space.075" alignBlock="center">
          {stale ? <Lozenge appearance="moved">Stale</Lozenge> : null}
          <Tooltip
            content={`Revision ${block.revision} from ${block.source}, ${formatDateTime(block.updatedAt)}`}
          >
            <Text size="small" color="color.text.subtlest" testId="pagewire-freshness">
              {updated}
            </Text>
          </Tooltip>
        </Inline>
      </Inline>
      {stale ? (
        <Text size="small" color="color.text.warning">
          {`Not updated for over ${describeMinutes(staleAfterMinutes)}: “${block.source}” may have stopped sending updates.`}
        </Text>
      ) : null}
    </Stack>
  );
}

function describeMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? 'a day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'an hour' : `${minutes / 60} hours`;
  return `${minutes} min`;
}
