# drhook as a container image for GitLab CI, Jenkins and Kubernetes: `docker run --rm drhook contract <url>`.
# Built in a stage with the dev dependencies (TypeScript); the image keeps the compiled files, the production
# dependencies, the schemas and the scenarios, and runs as the unprivileged `node` user.

FROM node:20-alpine AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json ./
# `prepare` would compile before the sources are here: install first, then compile.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
RUN npx tsc -p tsconfig.json

FROM node:20-alpine
ENV NODE_ENV=production
WORKDIR /opt/drhook
COPY package.json package-lock.json ./
# No scripts: `prepare` compiles, and the compiled files come from the build stage.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist/src ./dist/src
COPY schemas ./schemas
COPY scenarios ./scenarios
# Reports go to /work/reports: mount a volume there (or pass --report-dir) to keep them.
RUN mkdir -p /work && chown node:node /work
USER node
WORKDIR /work
ENTRYPOINT ["node", "/opt/drhook/dist/src/cli.js"]
CMD ["--help"]
