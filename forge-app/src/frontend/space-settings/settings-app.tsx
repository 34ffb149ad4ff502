import {
  Box,
  Heading,
  List,
  ListItem,
  SectionMessage,
  Stack,
  Tab,
  TabList,
  TabPanel,
  Tabs,
  Text,
} from '@forge/react';
import type { OperationResult, SettingsView } from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { ActivityTab } from './activity-tab';
import { BlocksTab } from './blocks-tab';
import { ConnectionTab } from './connection-tab';
import { IngestKeysTab } from './ingest-keys-tab';
import { PagesTab } from './pages-tab';
import { PublishingPolicyTab } from './publishing-policy-tab';
import { WebhooksSection } from './webhooks-section';

export interface SpaceSettingsAppProps {
  /** The clock behind "last used 3 min ago"; a parameter so a preview or a test can fix it. */
  now?: () => Date;
}

type Load = { status: 'loading' } | { status: 'done'; result: OperationResult<'settings.get'> };

/**
 * Space settings → Pagewire. Everyone who can open it sees how Pagewire is set
 * up; only space admins (as Confluence says, checked by the resolver) can change it.
 */
export function SpaceSettingsApp({ now = () => new Date() }: SpaceSettingsAppProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [version, setVersion] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads the view after a change or on "Try again".
  useEffect(() => {
    let current = true;
    // A reload keeps the current view on screen until the new one arrives.
    void invokeOperation('settings.get', {}).then((result) => {
      if (current) setLoad({ status: 'done', result });
    });
    return () => {
      current = false;
    };
  }, [version]);

  const reload = () => setVersion((count) => count + 1);

  return (
    <Stack space="space.300">
      <Stack space="space.050">
        <Heading as="h1" size="large">
          Pagewire
        </Heading>
        <Text color="color.text.subtle">
          Live facts from your own systems, kept true in this space’s pages.
        </Text>
      </Stack>
      {load.status === 'loading' ? (
        <LoadingSkeleton lines={5} />
      ) : load.result.ok ? (
        <SettingsTabs view={load.result.data} revision={version} onChanged={reload} now={now()} />
      ) : (
        <Stack space="space.200">
          <ResolverErrorMessage
            title={
              load.result.error.code === 'backend_unreachable'
                ? 'Pagewire’s backend is unreachable'
                : 'Pagewire’s settings could not be loaded'
            }
            error={load.result.error}
            onRetry={reload}
          />
          {unreachableCodes.has(load.result.error.code) ? <WhatToCheck /> : null}
        </Stack>
      )}
    </Stack>
  );
}

const unreachableCodes = new Set(['backend_unreachable', 'backend_timeout', 'service_unavailable']);

/** For whoever runs the backend: the usual reasons Forge cannot reach it, in the order to check them. */
function WhatToCheck() {
  return (
    <Stack space="space.100" testId="pagewire-backend-help">
      <Heading as="h3" size="xsmall">
        What to check
      </Heading>
      <List type="ordered">
        <ListItem>
          The backend process is running (its logs say “backend listening on …”), and its /healthz and /readyz
          answer.
        </ListItem>
        <ListItem>
          It is reachable from the internet over HTTPS at the URL the app was deployed with
          (PAGEWIRE_BACKEND_URL at forge deploy), with a valid certificate.
        </ListItem>
        <ListItem>
          Its database is up: /readyz says “not ready” while migrations are pending or the database is away.
        </ListItem>
        <ListItem>
          Pages under the snapshot policy keep showing their last stored copy meanwhile, marked “Live data
          unavailable since …”.
        </ListItem>
      </List>
    </Stack>
  );
}

function SettingsTabs({
  view,
  revision,
  onChanged,
  now,
}: {
  view: SettingsView;
  /** Bumped by every change; the activity log reloads so it shows that change. */
  revision: number;
  onChanged: () => void;
  now: Date;
}) {
  return (
    <Stack space="space.200">
      {view.canEdit ? null : (
        <SectionMessage
          appearance="information"
          title="You can view these settings"
          testId="pagewire-read-only"
        >
          <Text>{`Only space admins of ${view.space.key} can change how Pagewire works here.`}</Text>
        </SectionMessage>
      )}
      <Tabs id="pagewire-settings-tabs">
        <TabList>
          <Tab>Connection</Tab>
          <Tab>Sources & ingest keys</Tab>
          <Tab>Publishing policy</Tab>
          <Tab>Blocks</Tab>
          <Tab>Pages</Tab>
          <Tab>Activity</Tab>
          <Tab>Webhooks</Tab>
        </TabList>
        <TabPanel>
          <Box paddingBlock="space.200">
            <ConnectionTab view={view} onChanged={onChanged} />
          </Box>
        </TabPanel>
        <TabPanel>
          <Box paddingBlock="space.200">
            <IngestKeysTab view={view} onChanged={onChanged} now={now} />
          </Box>
        </TabPanel>
        <TabPanel>
          <Box paddingBlock="space.200">
            <PublishingPolicyTab
              // A fresh form after every save, so it starts from what was stored.
              key={`${view.settings.publishingPolicy}-${view.settings.staleAfterMinutes}`}
              view={view}
              onChanged={onChanged}
            />
          </Box>
        </TabPanel>
        <TabPanel>
          <Box paddingBlock="space.200">
            <BlocksTab spaceKey={view.space.key} canEdit={view.canEdit} now={now} onChanged={onChanged} />
          </Box>
        </TabPanel>
        <TabPanel>
          <Box paddingBlock="space.200">
            <PagesTab spaceKey={view.space.key} canEdit={view.canEdit} now={now} onChanged={onChanged} />
          </Box>
        </TabPanel>
        <TabPanel>
          <Box paddingBlock="space.200">
            <ActivityTab
              key={`activity-${revision}`}
              now={now}
              spaceKey={view.space.key}
              // Revoked sources too: what they did is still in the log.
              sources={view.ingestKeys.map((key) => key.source)}
            />
          </Box>
        </TabPanel>
        <TabPanel>
          <Box paddingBlock="space.200">
            <WebhooksSection canEdit={view.canEdit} now={now} onChanged={onChanged} />
          </Box>
        </TabPanel>
      </Tabs>
    </Stack>
  );
}
