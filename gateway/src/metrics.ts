import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one gateway process. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'bastion_gateway_requests_total',
    help: 'GraphQL HTTP requests by listener and status',
    labelNames: ['listener', 'status'],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'bastion_gateway_request_duration_seconds',
    help: 'GraphQL HTTP request duration',
    labelNames: ['listener'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'bastion_gateway_auth_failures_total',
    help: 'Requests refused as UNAUTHENTICATED at the gateway',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'bastion_gateway_' });
  }
}
