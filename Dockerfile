# One image for every service; docker-compose.yml picks the entry point per container.
# Stage 1 builds with the dev dependencies (swc); stage 2 ships production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY packages/standalone/package.json packages/standalone/
COPY gateway/package.json gateway/
COPY schema/package.json schema/
COPY bench/package.json bench/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/orgs/package.json subgraphs/orgs/
COPY subgraphs/credits/package.json subgraphs/credits/
COPY subgraphs/ai/package.json subgraphs/ai/
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production APOLLO_TELEMETRY_DISABLED=true
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY packages/standalone/package.json packages/standalone/
COPY gateway/package.json gateway/
COPY schema/package.json schema/
COPY bench/package.json bench/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/orgs/package.json subgraphs/orgs/
COPY subgraphs/credits/package.json subgraphs/credits/
COPY subgraphs/ai/package.json subgraphs/ai/
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/packages/platform/dist packages/platform/dist
COPY --from=build /app/packages/standalone/dist packages/standalone/dist
COPY --from=build /app/gateway/dist gateway/dist
COPY --from=build /app/subgraphs/auth/dist subgraphs/auth/dist
COPY --from=build /app/subgraphs/auth/schema.graphql subgraphs/auth/
COPY --from=build /app/subgraphs/auth/data subgraphs/auth/data
COPY --from=build /app/subgraphs/orgs/dist subgraphs/orgs/dist
COPY --from=build /app/subgraphs/orgs/schema.graphql subgraphs/orgs/
COPY --from=build /app/subgraphs/credits/dist subgraphs/credits/dist
COPY --from=build /app/subgraphs/credits/schema.graphql subgraphs/credits/
COPY --from=build /app/subgraphs/ai/dist subgraphs/ai/dist
COPY --from=build /app/subgraphs/ai/schema.graphql subgraphs/ai/
COPY --from=build /app/schema/supergraph.public.graphql /app/schema/supergraph.internal.graphql schema/
COPY --from=build /app/deploy/healthcheck.mjs deploy/
# Never root: a compromised process cannot change the image's files or bind privileged ports.
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
# node itself is PID 1 (no npm or shell wrapper), so SIGTERM reaches stopOnSignals and drains.
CMD ["node", "packages/standalone/dist/main.js"]
