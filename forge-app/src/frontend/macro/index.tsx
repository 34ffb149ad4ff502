import ForgeReconciler, { Text } from '@forge/react';

ForgeReconciler.render(<Text>Pagewire block</Text>);
