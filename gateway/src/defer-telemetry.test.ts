import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * Runs in a fresh Node process (jest has its own module registry, not Node's `require.cache`):
 * loads the built gateway package as `npm start` does, then reports what Node loaded.
 */
function probe(body: string): Record<string, unknown> {
  const script = `
    const { createRequire } = require('node:module');
    const { types } = require('node:util');
    const files = (name) => Object.keys(require.cache).filter((f) => f.includes('/node_modules/' + name + '/'));
    require(${JSON.stringify(join(ROOT, 'gateway/dist/index.js'))});
    const fromGateway = createRequire(require.resolve('@apollo/gateway/dist/utilities/opentelemetry.js', { paths: [${JSON.stringify(join(ROOT, 'gateway'))}] }));
    const out = {};
    ${body}
    process.stdout.write(JSON.stringify(out));
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }),
  ) as Record<string, unknown>;
}

describe('deferred @apollo/gateway telemetry modules', () => {
  it('loads none of their code at start, and the real module at first use', () => {
    const out = probe(`
      out.gatewayLoaded = files('@apollo/gateway').length > 0;
      out.before = {
        sdk: files('@opentelemetry/sdk-metrics').length,
        exporter: files('@opentelemetry/exporter-metrics-otlp-http').length,
        aws: files('@opentelemetry/resource-detector-aws').length,
        gcp: files('@opentelemetry/resource-detector-gcp').length,
        tracingApi: files('@opentelemetry/api').length > 1,
      };
      const sdk = fromGateway('@opentelemetry/sdk-metrics');
      out.standInIsProxy = types.isProxy(sdk);
      const provider = new sdk.MeterProvider();
      out.counterWorks = typeof provider.getMeter('probe').createCounter('c').add === 'function';
      out.after = files('@opentelemetry/sdk-metrics').length;
      out.laterRequireIsReal = !types.isProxy(fromGateway('@opentelemetry/sdk-metrics'));
      out.sameClass = fromGateway('@opentelemetry/sdk-metrics').MeterProvider === sdk.MeterProvider;
    `);
    expect(out.gatewayLoaded).toBe(true);
    // One entry each: the stand-in under the package's main file name, none of its code.
    expect(out.before).toEqual({ sdk: 1, exporter: 1, aws: 1, gcp: 1, tracingApi: true });
    expect(out.standInIsProxy).toBe(true);
    expect(out.counterWorks).toBe(true);
    expect(out.after).toBeGreaterThan(1);
    expect(out.laterRequireIsReal).toBe(true);
    expect(out.sameClass).toBe(true);
  });
});
