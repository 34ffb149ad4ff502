import { Box, Heading, Inline, Lozenge, Stack, Text, xcss } from '@forge/react';
import type { ShownMetric } from '@pagewire/shared';
import { lozengeFor } from './block-tones';

const cardStyle = xcss({
  borderColor: 'color.border',
  borderStyle: 'solid',
  borderWidth: 'border.width',
  borderRadius: 'radius.medium',
});

/** Compact cards, wrapping with the page width: label, value, change. */
export function MetricsBlock({ metrics }: { metrics: readonly ShownMetric[] }) {
  return (
    <Inline space="space.150" shouldWrap>
      {metrics.map((metric, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: metrics are replaced as a whole list, never reordered in place.
        <Box key={`metric-${index}`} padding="space.150" xcss={cardStyle}>
          <Stack space="space.050">
            <Text size="small" color="color.text.subtle">
              {metric.label}
            </Text>
            <Heading as="span" size="medium">
              {metric.value}
            </Heading>
            {metric.change ? (
              <Inline>
                <Lozenge appearance={lozengeFor(metric.change.tone)}>{metric.change.text}</Lozenge>
              </Inline>
            ) : null}
            {metric.hint ? (
              <Text size="small" color="color.text.subtlest">
                {metric.hint}
              </Text>
            ) : null}
          </Stack>
        </Box>
      ))}
    </Inline>
  );
}
