# syntax=docker/dockerfile:1
# The gateway's image. Any base with Python >= 3.11 and `python3 -m venv` works: the official
# python image by default, or (scripts/image-check, where no registry answers) a Debian rootfs
# made with debootstrap. GraphiQL's assets are built from web/'s pinned packages in a Node stage
# (GRAPHIQL=built), or taken from a build made beforehand in gateway/static/graphiql
# (GRAPHIQL=prebuilt, e.g. by scripts/test), so the container's playground works offline.
ARG BASE_IMAGE=docker.io/library/python:3.11-slim
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim
ARG GRAPHIQL=built

FROM ${NODE_IMAGE} AS graphiql-built
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/build.mjs ./
COPY web/src ./src
RUN GRAPHIQL_OUTDIR=/graphiql node build.mjs

FROM ${BASE_IMAGE} AS graphiql-prebuilt
COPY gateway/static/graphiql /graphiql

FROM graphiql-${GRAPHIQL} AS graphiql

FROM ${BASE_IMAGE} AS build
WORKDIR /src
RUN python3 -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
COPY --from=graphiql /graphiql /graphiql
# Whatever a local build left in the context is replaced by the one chosen above.
RUN rm -rf gateway/static/graphiql && mkdir -p gateway/static && cp -r /graphiql gateway/static/graphiql \
  && /opt/venv/bin/pip install --no-cache-dir --quiet .

FROM ${BASE_IMAGE}
RUN useradd --create-home --uid 10001 gateway
COPY --from=build /opt/venv /opt/venv
USER gateway
ENV PATH=/opt/venv/bin:$PATH GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD python3 -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["event-gateway", "serve"]
