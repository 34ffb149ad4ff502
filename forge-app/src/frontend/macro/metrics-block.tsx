import { Box, Heading, Inline, Lozenge, Stack, Text, xcss } from '@forge/react';
import type { MetricsContent } from '@pagewire/shared';

type Metric = MetricsContent['metrics'][number];

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const signedFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, signDisplay: 'exceptZero' });

const cardStyle = xcss({
  borderColor: 'color.border',
  borderStyle: 'solid',
  borderWidth: 'border.width',
  borderRadius: 'radius.medium',
});

/** Compact cards, wrapping with the page width: label, value, change. */
export function MetricsBlock({ content }: { content: MetricsContent }) {
  return (
    <Inline space="space.150" shouldWrap>
      {content.metrics.map((metric, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: metrics are replaced as a whole list, never reordered in place.
        <Box key={`metric-${index}`} padding="space.150" xcss={cardStyle}>
          <Stack space="space.050">
            <Text size="small" color="color.text.subtle">
              {metric.label}
            </Text>
            <Heading as="span" size="medium">
              {withUnit(numberFormat.format(metric.value), metric.unit)}
            </Heading>
            {metric.delta !== undefined ? (
              <Inline>
                <Lozenge appearance={deltaAppearance(metric)}>{deltaText(metric)}</Lozenge>
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

function withUnit(value: string, unit: string | undefined): string {
  if (!unit) return value;
  // "%" and currency-like units hug the number; words get a space.
  return unit.length === 1 ? `${value}${unit}` : `${value} ${unit}`;
}

function deltaText(metric: Metric): string {
  const delta = metric.delta ?? 0;
  const arrow = delta > 0 ? '▲' : delta < 0 ? '▼' : '■';
  return `${arrow} ${withUnit(signedFormat.format(delta), metric.unit)}`;
}

function deltaAppearance(metric: Metric): 'success' | 'removed' | 'default' {
  const delta = metric.delta ?? 0;
  if (delta === 0 || !metric.goodDirection) return 'default';
  const good = metric.goodDirection === 'up' ? delta > 0 : delta < 0;
  return good ? 'success' : 'removed';
}
