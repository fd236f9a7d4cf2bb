# hostwatch image: the build stage compiles TypeScript and the native re2 addon (it needs python3,
# make and g++, which the full bookworm image has); the final stage gets the production node_modules
# copied over, so it needs no compiler, and runs as the unprivileged `node` user. Both stages are
# Debian bookworm, so the compiled addon matches the final image's libc.
# Built by docker-compose.yml (see docs/stack.md).
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# npm ci runs the package's `prepare` (scripts/ensure-built.mjs), which has nothing to build before
# src/ is copied; copying only the dependency files first keeps the slow layer (re2 compiles from
# source, minutes) cached across source changes. --foreground-scripts shows the compiler's progress.
COPY scripts/ensure-built.mjs ./scripts/
RUN npm ci --foreground-scripts
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# The revision of hostwatch_build_info: there is no .git in the build context, so it is passed in:
# docker-compose build --build-arg REVISION=$(git rev-parse --short=12 HEAD)
ARG REVISION=unknown
RUN npm run build && printf '{"revision":"%s"}\n' "$REVISION" > dist/revision.json \
  && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# journalctl, for the logs read from the host's journal (hostwatch.docker.yml): Debian's systemd
# package without its recommends; nothing of it runs in the container but journalctl.
RUN apt-get update && apt-get install -y --no-install-recommends systemd && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# A default config; docker-compose.yml mounts ./hostwatch.docker.yml over it, so a change needs no
# rebuild (`docker run -v $PWD/my.yml:/etc/hostwatch/hostwatch.yml:ro ...` does the same).
COPY hostwatch.docker.yml /etc/hostwatch/hostwatch.yml
# State (checkpoints, FIM baseline) lives on a volume so that counters survive a container restart.
RUN mkdir -p /var/lib/hostwatch && chown node:node /var/lib/hostwatch
USER node
VOLUME /var/lib/hostwatch
EXPOSE 10023
# Plain HTTP health check; with a --web.config.file that enables TLS or basic auth, override it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:10023/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The V8 heap flags of `npm start` and of the installed command's shebang: keep the RSS low.
ENTRYPOINT ["node", "--max-semi-space-size=1", "--heap-growing-percent=50", "--v8-pool-size=1", "dist/main.js"]
CMD ["--config.file=/etc/hostwatch/hostwatch.yml", "--state.dir=/var/lib/hostwatch"]
