// @apollo/gateway must never phone home from a test (docs/development.md "Known pitfalls").
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
