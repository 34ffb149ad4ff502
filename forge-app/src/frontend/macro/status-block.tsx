import { DynamicTable, Inline, Link, Lozenge, Stack, Text } from '@forge/react';
import type { StatusContent } from '@pagewire/shared';
import { lozengeFor } from './block-tones';

export function StatusBlock({ content, rowsPerPage }: { content: StatusContent; rowsPerPage: number }) {
  const components = content.components ?? [];
  return (
    <Stack space="space.150">
      <Inline space="space.150" alignBlock="center">
        <Lozenge appearance={lozengeFor(content.tone)} isBold>
          {content.status}
        </Lozenge>
        {content.url ? (
          <Link href={content.url} openNewTab>
            Details
          </Link>
        ) : null}
      </Inline>
      {content.summary ? <Text>{content.summary}</Text> : null}
      {components.length > 0 ? (
        <DynamicTable
          caption="Components"
          head={{
            cells: [
              { key: 'name', content: 'Component' },
              { key: 'status', content: 'Status' },
            ],
          }}
          rows={components.map((component, index) => ({
            key: `component-${index}`,
            cells: [
              { key: 'name', content: component.name },
              {
                key: 'status',
                content: <Lozenge appearance={lozengeFor(component.tone)}>{component.status}</Lozenge>,
              },
            ],
          }))}
          {...(components.length > rowsPerPage ? { rowsPerPage } : {})}
        />
      ) : null}
    </Stack>
  );
}
