import { Initial1763800000000 } from './1763800000000-initial';
import { Generations1766000000000 } from './1766000000000-generations';
import { GenerationEndings1767000000000 } from './1767000000000-generation-endings';
import { GenerationOrganization1768000000000 } from './1768000000000-generation-organization';

/** The ai schema's migrations, oldest first: run at start and by `npm run migrate`. */
export const migrations = [
  Initial1763800000000,
  Generations1766000000000,
  GenerationEndings1767000000000,
  GenerationOrganization1768000000000,
];
