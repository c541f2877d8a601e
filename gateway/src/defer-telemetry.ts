import { Module, createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * `@apollo/gateway` requires OpenTelemetry's metrics SDK, its OTLP exporter and four cloud
 * resource detectors at its top level (~0.25 s of CPU at every start, a fifth of loading the
 * gateway), for the usage data it sends to Apollo, which the product never sends
 * (APOLLO_TELEMETRY_DISABLED=true is set before a gateway starts). Its code touches them only
 * inside functions, so each module here is entered in `require.cache` as a stand-in whose
 * exports load the real module on first use: nothing changes if the gateway ever calls them.
 * Tracing (`@opentelemetry/api`) is not deferred. docs/operations.md "Start time".
 */
export const DEFERRED_TELEMETRY_MODULES = [
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/resource-detector-alibaba-cloud',
  '@opentelemetry/resource-detector-aws',
  '@opentelemetry/resource-detector-gcp',
  '@opentelemetry/resource-detector-azure',
  '@opentelemetry/resources',
] as const;

/** The module that requires them (resolution is relative to it, as its own `require` resolves). */
const REQUIRER = '@apollo/gateway/dist/utilities/opentelemetry.js';

/**
 * Enters the stand-ins unless the real modules are already loaded. Returns the file names it
 * deferred (tests look them up in `require.cache`).
 */
export function deferGatewayTelemetry(): string[] {
  const local = createRequire(__filename);
  let requirer: string;
  try {
    requirer = local.resolve(REQUIRER);
  } catch {
    return []; // another layout of @apollo/gateway: load as usual
  }
  // Loading it already happened: its requires ran, nothing to defer.
  if (local.cache[requirer]) return [];
  const fromGateway = createRequire(requirer);
  const deferred: string[] = [];
  for (const specifier of DEFERRED_TELEMETRY_MODULES) {
    let filename: string;
    try {
      filename = fromGateway.resolve(specifier);
    } catch {
      continue;
    }
    if (local.cache[filename]) continue;
    local.cache[filename] = standIn(filename, fromGateway);
    deferred.push(filename);
  }
  return deferred;
}

function standIn(filename: string, load: NodeJS.Require): Module {
  let real: Record<string | symbol, unknown> | undefined;
  const target = (): Record<string | symbol, unknown> => {
    if (!real) {
      // The real module replaces the stand-in in the cache, so later requires get it directly.
      delete load.cache[filename];
      real = load(filename) as Record<string | symbol, unknown>;
    }
    return real;
  };
  const module = new Module(filename);
  module.filename = filename;
  module.paths = [dirname(filename)];
  module.loaded = true;
  module.exports = new Proxy(
    {},
    {
      get: (_, key) => target()[key],
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        // A proxy may only report a property as non-configurable if its target has it so.
        return descriptor ? { ...descriptor, configurable: true } : undefined;
      },
    },
  );
  return module;
}

deferGatewayTelemetry();
