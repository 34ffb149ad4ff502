import { Box, Stack, xcss } from '@forge/react';

const titleBar = xcss({ width: 'size.1000', height: 'size.200', borderRadius: 'radius.small' });
const fullLine = xcss({ width: '100%', height: 'size.100', borderRadius: 'radius.small' });
const shortLine = xcss({ width: 'size.1000', height: 'size.100', borderRadius: 'radius.small' });

/**
 * UI Kit has no Skeleton component in @forge/react 12, so the placeholder is
 * built from Boxes in the design system's skeleton colours, shaped like the
 * content it stands for: a title bar, then text lines. It keeps the block's
 * height steady while it loads (RFC-126, layout shift).
 */
export function LoadingSkeleton({ lines = 3 }: { lines?: number }) {
  return (
    <Stack space="space.100" testId="pagewire-loading">
      <Box backgroundColor="color.skeleton" xcss={titleBar} />
      {Array.from({ length: lines }, (_, index) => (
        <Box
          // biome-ignore lint/suspicious/noArrayIndexKey: the bars are identical placeholders.
          key={index}
          backgroundColor="color.skeleton.subtle"
          xcss={index === lines - 1 ? shortLine : fullLine}
        />
      ))}
    </Stack>
  );
}
