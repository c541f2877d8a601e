import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  composeSupergraphs,
  prebuiltSubgraphSchemas,
  REPO_ROOT,
  SUPERGRAPH_PATHS,
} from './compose';

// Composition never reaches Apollo's services, but keep the library quiet all the same.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
const supergraphs = composeSupergraphs();
for (const kind of ['public', 'internal'] as const) {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- fixed paths in the repository
  writeFileSync(SUPERGRAPH_PATHS[kind], supergraphs[kind]);
  console.log(`wrote ${relative(REPO_ROOT, SUPERGRAPH_PATHS[kind])}`);
}
for (const { path, content } of prebuiltSubgraphSchemas()) {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- beside each registered subgraph's schema.graphql
  writeFileSync(path, content);
  console.log(`wrote ${relative(REPO_ROOT, path)}`);
}
