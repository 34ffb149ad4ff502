import ForgeReconciler from '@forge/react';
import { SpaceSettingsApp } from './settings-app';

ForgeReconciler.render(<SpaceSettingsApp />);
