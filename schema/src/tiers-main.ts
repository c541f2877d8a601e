import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO_ROOT } from './compose';
import { TIER_TABLE_PATH, allTierRows, renderTierTable } from './tier-table';

// `npm run tiers:table`: rewrites schema/tiers.md from the SDL; review the diff before committing it.
const rows = allTierRows();
// eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed path in the repository
writeFileSync(TIER_TABLE_PATH, renderTierTable(rows));
console.log(
  `wrote ${relative(REPO_ROOT, TIER_TABLE_PATH)} (${rows.length} fields); review \`git diff ${relative(REPO_ROOT, TIER_TABLE_PATH)}\` before committing`,
);
