// @apollo/gateway must never phone home from a test (STACK.md).
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
