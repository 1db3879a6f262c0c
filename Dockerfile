# syntax=docker/dockerfile:1.7
#
# One Dockerfile, one target per deployable unit (each image contains only its own app):
#   docker build --target user-api             -t <registry>/user-api:<version> .
#   docker build --target user-grpc            -t <registry>/user-grpc:<version> .
#   docker build --target event-relay          -t <registry>/event-relay:<version> .
#   docker build --target audit-cleanup-worker -t <registry>/audit-cleanup-worker:<version> .
#   docker build --target migrate              -t <registry>/user-service-migrate:<version> .
# Every image: production dependencies only, code owned by root (the app cannot modify itself),
# the numeric non-root user 10001, nothing written outside /tmp (runs with a read-only root
# filesystem), exec-form entry points (signals reach node directly). See docs/runbooks/deployment.md.

# Exact tag of the Node line CI tests with. Pin the digest as well in the release pipeline
# (`docker buildx imagetools inspect node:20.20.2-bookworm-slim`), and let a bot bump both.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- every dependency, for building ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency install script may run, whatever npm version the base image ships
# (package.json's `allowScripts` needs npm 11). Nothing is generated at install time: the apps query
# with node-postgres, and Prisma is only the migration tool (docs/database.md).
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts --no-audit --no-fund

# ---- production dependencies ----------------------------------------------------------------------
FROM deps AS prod-deps
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/.cache

# ---- sources every app build needs; each app's stage adds only its own directory -----------------
FROM deps AS source
COPY tsconfig.base.json ./
COPY tools/scripts/build-app.mjs tools/scripts/build-console.mjs tools/scripts/
COPY proto proto
COPY libs libs

# user-api also serves the admin console (a browser app built by Vite beside its bundle).
FROM source AS build-user-api
COPY apps/admin-console apps/admin-console
COPY apps/user-api apps/user-api
RUN node tools/scripts/build-app.mjs user-api

FROM source AS build-user-grpc
COPY apps/user-grpc apps/user-grpc
RUN node tools/scripts/build-app.mjs user-grpc

FROM source AS build-event-relay
COPY apps/event-relay apps/event-relay
RUN node tools/scripts/build-app.mjs event-relay

FROM source AS build-audit-cleanup-worker
COPY apps/audit-cleanup-worker apps/audit-cleanup-worker
RUN node tools/scripts/build-app.mjs audit-cleanup-worker

# ---- what every runtime image shares -------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# npm, npx, corepack and yarn are never used at run time: less to patch, less to abuse.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
    /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.vendor="Pandora Exchange" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# HOME=/tmp: user 10001 has no passwd entry; anything that insists on a home directory gets the one
# writable path (an emptyDir/tmpfs in Kubernetes and Compose).
ENV NODE_ENV=production HOME=/tmp CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
WORKDIR /app
COPY --from=prod-deps /src/package.json ./package.json
COPY --from=prod-deps /src/node_modules ./node_modules
COPY deployments/docker/healthcheck.mjs /usr/local/lib/pandora/healthcheck.mjs
USER 10001:10001
STOPSIGNAL SIGTERM

# ---- migrate: `prisma migrate deploy`, run once before every rollout (a Job in Kubernetes) --------
FROM runtime AS migrate
LABEL org.opencontainers.image.title="user-service-migrate"
COPY prisma.config.ts ./
COPY libs/data-access/prisma libs/data-access/prisma
HEALTHCHECK NONE
ENTRYPOINT ["node", "node_modules/prisma/build/index.js", "migrate", "deploy"]

# ---- user-api: public REST on SERVER_PORT (8080), admin REST + console on ADMIN_PORT (8081) -------
FROM runtime AS user-api
LABEL org.opencontainers.image.title="user-api"
COPY --from=build-user-api /src/dist/apps/user-api dist/apps/user-api
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/usr/local/lib/pandora/healthcheck.mjs", "SERVER_PORT", "8080", "/health"]
ENTRYPOINT ["node", "--enable-source-maps", "dist/apps/user-api/main.js"]

# ---- user-grpc: gRPC on GRPC_PORT (9090); health/metrics HTTP on METRICS_PORT (9464) --------------
FROM runtime AS user-grpc
LABEL org.opencontainers.image.title="user-grpc"
COPY --from=build-user-grpc /src/dist/apps/user-grpc dist/apps/user-grpc
EXPOSE 9090 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/usr/local/lib/pandora/healthcheck.mjs", "METRICS_PORT", "9464", "/health"]
ENTRYPOINT ["node", "--enable-source-maps", "dist/apps/user-grpc/main.js"]

# ---- event-relay: no public port; health/metrics HTTP on METRICS_PORT (9465) ----------------------
FROM runtime AS event-relay
LABEL org.opencontainers.image.title="event-relay"
COPY --from=build-event-relay /src/dist/apps/event-relay dist/apps/event-relay
EXPOSE 9465
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/usr/local/lib/pandora/healthcheck.mjs", "METRICS_PORT", "9465", "/health"]
ENTRYPOINT ["node", "--enable-source-maps", "dist/apps/event-relay/main.js"]

# ---- audit-cleanup-worker: one run per container (exit code = outcome); `--dry-run` as an argument --
FROM runtime AS audit-cleanup-worker
LABEL org.opencontainers.image.title="audit-cleanup-worker"
COPY --from=build-audit-cleanup-worker /src/dist/apps/audit-cleanup-worker dist/apps/audit-cleanup-worker
HEALTHCHECK NONE
ENTRYPOINT ["node", "--enable-source-maps", "dist/apps/audit-cleanup-worker/main.js"]
