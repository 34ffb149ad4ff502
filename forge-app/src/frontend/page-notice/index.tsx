import ForgeReconciler from '@forge/react';
import { PageNoticeApp } from './page-notice-app';

ForgeReconciler.render(<PageNoticeApp />);
