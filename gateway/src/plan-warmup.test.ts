import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { SUPERGRAPH_FILES, readSupergraph } from './gateway';
import { stopWarmupAfterPlanning, warmQueryPlans } from './plan-warmup';

const MODELS = 'query Models { aiModels { id displayName } }';
// A required variable (the executor checks variables before it plans) and two operations.
const TWO =
  'query Sessions($first: Int!) { sessions(first: $first) { id } } query Me { me { id } }';

describe('warmQueryPlans', () => {
  const fetches: string[] = [];
  let gateway: ApolloGateway;
  let server: ApolloServer;

  beforeAll(async () => {
    process.env.APOLLO_TELEMETRY_DISABLED = 'true';
    gateway = new ApolloGateway({
      supergraphSdl: readSupergraph(SUPERGRAPH_FILES.public),
      buildService: ({ name }): GraphQLDataSource => ({
        process: async ({ request }) => {
          fetches.push(`${name}: ${request.query}`);
          return { data: { aiModels: [{ id: 'm1', displayName: 'Model one' }] } };
        },
      }),
      experimental_didResolveQueryPlan: stopWarmupAfterPlanning,
    });
    server = new ApolloServer({ gateway });
    await server.start();
  });
  afterAll(() => server.stop());

  it('plans every operation at start without calling a subgraph, in the store requests read', async () => {
    const planner = gateway.__testing().queryPlanner!;
    const plan = jest.spyOn(planner, 'buildQueryPlan');
    // Models: named and unnamed requests; Sessions and Me: by name only (two operations).
    expect(await warmQueryPlans(gateway, [MODELS, TWO, '{ not valid'])).toEqual({
      planned: 4,
      skipped: 1,
    });
    expect(plan).toHaveBeenCalledTimes(4);
    expect(fetches).toEqual([]);

    // Again: every plan comes from the store.
    await warmQueryPlans(gateway, [MODELS, TWO]);
    expect(plan).toHaveBeenCalledTimes(4);

    // A request as a client sends it runs on the plan made at start, and only it calls the subgraph.
    const response = await server.executeOperation({ query: MODELS, operationName: 'Models' });
    expect(plan).toHaveBeenCalledTimes(4);
    expect(response.body.kind === 'single' && response.body.singleResult).toMatchObject({
      data: { aiModels: [{ id: 'm1', displayName: 'Model one' }] },
    });
    expect(fetches).toHaveLength(1);
    expect(fetches[0]).toMatch(/^ai: .*aiModels/);
  });
});
