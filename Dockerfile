# One image for every service; docker-compose.yml picks the entry point per container.
# Stage 1 keeps only the package manifests, so the npm ci layers are rebuilt when a dependency
# changes, not on every source edit; stage 2 builds with the dev dependencies (swc); stage 3
# ships production dependencies and the built files only. No stage names a subgraph: they come
# from the workspaces (subgraphs/*) and subgraphs/registry.json (scripts/image-files.mjs).
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete && find . -type d -empty -delete

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs && node scripts/image-files.mjs image-files

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# glibc maps blocks of 4 MiB and more (argon2's 19 MiB per hash) and returns them on free, instead
# of keeping them in per-thread arenas (~80 MB after a burst of logins): docs/operations.md "Start time".
# V8's old space capped at 256 MB: under load V8 otherwise lets garbage pile up to several times
# the ~80 MB live (docs/performance.md "Memory"); a deployment with more live data sets its own.
ENV NODE_ENV=production APOLLO_TELEMETRY_DISABLED=true MALLOC_MMAP_THRESHOLD_=4194304 NODE_OPTIONS=--max-old-space-size=256
COPY --from=manifests /app ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/image-files ./
# Never root: a compromised process cannot change the image's files or bind privileged ports.
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
# node itself is PID 1 (no npm or shell wrapper), so SIGTERM reaches stopOnSignals and drains.
CMD ["node", "all-in-one/dist/main.js"]
