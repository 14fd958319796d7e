# steplog: one image for every role (`serve --role all|api|loader`) and the CLI.
#   docker build -t steplog .
# Where no registry can be pulled from, make the base image locally first
# (deploy/docker/make-base-image.sh) and build with --build-arg NODE_IMAGE=steplog/node:20-bookworm.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
# better-sqlite3 builds from source where no prebuilt binary can be fetched.
RUN if ! command -v g++ >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*; \
    fi
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: see .ci/run (chdb's per-platform optional packages).
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    STEPLOG_HOST=0.0.0.0 \
    STEPLOG_PORT=8000 \
    STEPLOG_DATA_DIR=/var/lib/steplog
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
RUN mkdir -p /var/lib/steplog && chown node:node /var/lib/steplog
USER node
VOLUME ["/var/lib/steplog"]
EXPOSE 8000
# /readyz: 503 while migrations run, a store or the warehouse is unreachable, or loads keep failing.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.STEPLOG_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/steplog.js"]
CMD ["serve"]
