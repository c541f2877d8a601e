import { Initial1767000000000 } from './1767000000000-initial';

/** The webhooks schema's migrations, oldest first: run at start and by `npm run migrate`. */
export const migrations = [Initial1767000000000];
