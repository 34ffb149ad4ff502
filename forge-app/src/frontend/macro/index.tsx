import ForgeReconciler from '@forge/react';
import { MacroApp } from './macro-app';
import { MacroConfigForm } from './macro-config-form';

ForgeReconciler.render(<MacroApp />);
ForgeReconciler.addConfig(<MacroConfigForm />);
