# scimflow service image: the API and a worker in one process, or one of them with the argument
# `api` or `worker`. Point it at a Temporal cluster and PostgreSQL with TEMPORAL_ADDRESS and
# DATABASE_URL (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 SCIMFLOW_DATA_DIR=/var/lib/scimflow
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
RUN mkdir -p /var/lib/scimflow && chown node:node /var/lib/scimflow
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "src/main.ts"]
