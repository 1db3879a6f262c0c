# syntax=docker/dockerfile:1.7
# One multi-target Dockerfile: `--target user-api` builds that app's image, `--target migrate`
# the one-shot migration image. Every image runs as a non-root numeric user.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY libs/data-access/prisma libs/data-access/prisma
# postinstall runs `prisma generate` (Rust-free client, no engine download).
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN node tools/scripts/build-app.mjs user-api event-relay

FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime-base
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps --chown=10001:10001 /app/node_modules node_modules
COPY --chown=10001:10001 package.json ./
USER 10001:10001

FROM runtime-base AS migrate
COPY --chown=10001:10001 prisma.config.ts ./
COPY --chown=10001:10001 libs/data-access/prisma libs/data-access/prisma
CMD ["node_modules/.bin/prisma", "migrate", "deploy"]

FROM runtime-base AS user-api
COPY --from=build --chown=10001:10001 /app/dist/apps/user-api dist/apps/user-api
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SERVER_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/apps/user-api/main.js"]

FROM runtime-base AS event-relay
COPY --from=build --chown=10001:10001 /app/dist/apps/event-relay dist/apps/event-relay
EXPOSE 9465
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || 9465) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/apps/event-relay/main.js"]
