# capsim's image, for sweeps on a Kubernetes cluster (README "Studies on a cluster"):
#   docker build -t capsim:0.1.0 .        (the tag capsim sweep --emit k8s-job uses by default)
# The CLI runs its TypeScript through tsx, a runtime dependency, so there is no build stage.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY scenarios/ scenarios/
COPY schema/ schema/

# uid 1000 is node:20-slim's `node` user; written as a number so that a pod's runAsNonRoot can
# check it (the emitted job.yaml runs as 1000 too). tsx keeps its compile cache in /tmp.
USER 1000:1000
ENTRYPOINT ["node", "bin/capsim.js"]
