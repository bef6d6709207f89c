# syntax=docker/dockerfile:1
# The central survey service only (central/ and the shared/ code it imports): no kiosk, no Electron,
# no renderer, no tests. Build from the repository root:
#   docker build -t hailong-central .
# deploy/compose.yaml runs it with PostgreSQL and a TLS-terminating reverse proxy
# (docs/operators/central-server.en.md).

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- dependencies: production packages only, and no install script runs (none is needed by the
# central service, and Electron's would download a browser build).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/better-sqlite3 \
  && npm cache clean --force

# ---- runtime: the code, read-only, owned by root, run by an unprivileged user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY central ./central
COPY shared ./shared
COPY assets/config ./assets/config
COPY bin/centralctl.js ./bin/centralctl.js
# The data directory holds the central signing key (mode 0600); mount a volume there.
RUN mkdir -p /var/lib/central && chown node:node /var/lib/central && chmod 0700 /var/lib/central
USER node
VOLUME ["/var/lib/central"]
# 4790: the service (behind the proxy); 9464: Prometheus metrics (internal network only, bearer token).
EXPOSE 4790 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4790/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "central/main.ts"]
CMD ["--data-dir", "/var/lib/central", "--host", "0.0.0.0", "--port", "4790", "--trust-proxy", "--log"]
