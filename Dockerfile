# Multi-stage build: compile TypeScript (and better-sqlite3's native addon) in a full image, run on
# node:20-slim as a non-root user.
FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY proto ./proto
# The web console: esbuild bundles console/src into dist/console during `npm run build`.
COPY scripts ./scripts
COPY console ./console
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json polaris-server.yaml ./
COPY proto ./proto
RUN mkdir -p /app/data /app/log /app/diagnostics && chown -R node:node /app/data /app/log /app/diagnostics
USER node
EXPOSE 8090 8091 8093 15010
VOLUME ["/app/data"]
# Ready = started, store answering, caches fresh (GET /readyz; /healthz is plain liveness).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8090/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["start", "-c", "polaris-server.yaml"]
