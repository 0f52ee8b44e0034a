# syntax=docker/dockerfile:1
# GraphiQL's assets, built from web/'s pinned packages, so the container's playground works offline.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/build.mjs ./
COPY web/src ./src
RUN GRAPHIQL_OUTDIR=/graphiql node build.mjs

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
COPY --from=web /graphiql /graphiql
# Whatever a local build left in the context is replaced by the one built above.
RUN rm -rf gateway/static/graphiql && mkdir -p gateway/static && cp -r /graphiql gateway/static/graphiql \
  && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 gateway
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER gateway
ENV GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["event-gateway", "serve"]
