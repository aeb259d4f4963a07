# syntax=docker/dockerfile:1
# gossip-safe webhook image: `docker build -t gossip-safe:0.1.0 .` (docs/install.md "The image";
# scripts/image-test.sh builds and runs it in CI).
# Multi-stage: the build stage has the dev dependencies and the TypeScript compiler; the final
# image has only dist/ and the production dependencies, and runs as a non-root numeric user
# (the Deployment's runAsNonRoot can only verify a numeric UID).

# Node.js 24.22.3, the version the tests and CI run (scripts/tools/node.sh). NODE_BUILD_IMAGE
# needs npm and a shell, NODE_IMAGE only node. CI (scripts/image-test.sh) builds both bases
# locally from Debian packages and passes them here, as no registry is reachable there.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim
ARG NODE_BUILD_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
RUN npm run build

FROM ${NODE_BUILD_IMAGE} AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json LICENSE ./
# 10001 matches runAsUser in manifests/base/deployment.yaml; nothing in the image is writable
# by it, so a read-only root filesystem changes nothing.
USER 10001:10001
EXPOSE 8443
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]
