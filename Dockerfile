# capsim's image, for sweeps on a Kubernetes cluster (README "Studies on a cluster"):
#   docker build -t capsim:0.1.0 .        (the tag capsim sweep --emit k8s-job uses by default)
# Two stages: the first installs every dependency and bundles src/ into dist/ with esbuild; the
# second installs the runtime dependencies only and takes dist/ from the first, so the image
# holds no TypeScript, no tsx and no other dev dependency.
FROM node:20-slim AS build

WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` (the build) would run here, before src/ is copied: it runs below instead.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.js scripts/
COPY src/ src/
RUN npm run build

FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build, and the compiler is a dev dependency; no runtime
# dependency has an install script.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY --from=build /app/dist/ dist/
COPY bin/ bin/
COPY scenarios/ scenarios/
COPY schema/ schema/

# uid 1000 is node:20-slim's `node` user; written as a number so that a pod's runAsNonRoot can
# check it (the emitted job.yaml runs as 1000 too).
USER 1000:1000
ENTRYPOINT ["node", "bin/capsim.js"]
