# Pipeline worker: workflows + activities on TEMPORAL_TASK_QUEUE and this host's own queue.
# glibc base (bookworm): the Temporal core-bridge native addon has no musl build.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly, so dev dependencies (test tools) are not needed
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY activities ./activities
COPY cli ./cli
COPY client ./client
COPY config ./config
COPY domain ./domain
COPY gateway ./gateway
COPY local ./local
COPY logging ./logging
COPY schedules ./schedules
COPY workers ./workers
COPY workflows ./workflows

RUN mkdir -p /data/chunks && chown -R node:node /data
USER node
VOLUME ["/data"]

CMD ["node", "--import", "tsx", "workers/main.ts"]
