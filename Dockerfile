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
COPY chunk-store ./chunk-store
COPY cli ./cli
COPY client ./client
COPY config ./config
COPY databento ./databento
COPY dbn ./dbn
COPY domain ./domain
COPY features ./features
COPY forecast ./forecast
COPY fred ./fred
COPY futures ./futures
COPY gateway ./gateway
COPY local ./local
COPY logging ./logging
COPY quality ./quality
COPY recordings ./recordings
COPY schedules ./schedules
COPY warehouse ./warehouse
COPY workers ./workers
COPY workflows ./workflows

RUN mkdir -p /data/chunks && chown -R node:node /data
USER node
VOLUME ["/data"]

CMD ["node", "--import", "tsx", "workers/main.ts"]
