import { runSubgraphMain } from '@bastion/platform';
import { subgraph } from './index';

runSubgraphMain(subgraph);
