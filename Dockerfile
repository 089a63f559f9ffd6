# syntax=docker/dockerfile:1
#
# LLM OS images. The whole deployment is:
#   docker build -t llmos .
#   docker run -p 3000:3000 -v llmos:/app/var llmos
#
# Targets:
#   runtime (default)  CPU image on node:22-bookworm-slim
#   cuda               GPU image on nvidia/cuda (CUDA 12 + cuDNN 9) with onnxruntime-node's
#                      CUDA execution provider:  docker build --target cuda -t llmos:cuda .
#                      run with:  docker run --gpus all -p 3000:3000 -v llmos:/app/var llmos:cuda
# See docs/docker.md.

ARG NODE_IMAGE=node:22-bookworm-slim
# CUDA 12.x with cuDNN 9: what onnxruntime-node 1.30's CUDA provider (Microsoft.ML.OnnxRuntime.Gpu.Linux) is built for
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04

# ---------------------------------------------------------------------------------------
# build: install everything, compile, then drop dev dependencies
# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# @scarf/scarf (a transitive dependency) reports installs unless told not to
ENV SCARF_ANALYTICS=false
# .npmrc sets onnxruntime-node-install=skip: the CPU runtime ships inside the npm package,
# and the CUDA libraries are fetched only by the cuda target below.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG TARGETARCH
# The prune keeps only this platform's onnxruntime binaries (the package ships all of them).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p models \
 && ORT_BIN=node_modules/onnxruntime-node/bin/napi-v6 \
 && keep="linux/$(case "${TARGETARCH:-$(uname -m)}" in amd64|x86_64) echo x64;; arm64|aarch64) echo arm64;; *) echo none;; esac)" \
 && if [ -d "$ORT_BIN/$keep" ]; then \
      find "$ORT_BIN" -mindepth 2 -maxdepth 2 -type d ! -path "$ORT_BIN/$keep" -exec rm -rf {} + ; \
    fi

# ---------------------------------------------------------------------------------------
# cuda: the same build plus onnxruntime-node's CUDA 12 provider libraries
# ---------------------------------------------------------------------------------------
FROM build AS build-cuda
# ONNXRUNTIME_NODE_INSTALL=1 forces onnxruntime-node's install script to fetch the
# linux/x64 "cuda12" manifest (libonnxruntime_providers_{shared,cuda,tensorrt}.so from the
# Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet package of the same version) into its bin folder.
# (=cuda12 also works in 1.30, but only through the script's default path.)
RUN test "$(uname -m)" = x86_64 || { echo "the CUDA image is linux/amd64 only" >&2; exit 1; } \
 && ONNXRUNTIME_NODE_INSTALL=1 node node_modules/onnxruntime-node/script/install.js \
 && ls -l node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so

FROM ${NODE_IMAGE} AS node-binary

FROM ${CUDA_IMAGE} AS cuda
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# Node's official binary needs only glibc >= 2.28 and libstdc++, both in Ubuntu 22.04
COPY --from=node-binary /usr/local/bin/node /usr/local/bin/node
# CUDA first; a provider that cannot load (no GPU passed with --gpus) falls back to the CPU
ENV NODE_ENV=production \
    DATA_DIR=/app/var \
    MODELS_DIR=/app/models \
    HOST=0.0.0.0 \
    PORT=3000 \
    INFERENCE_EXECUTION_PROVIDERS=cuda,cpu
WORKDIR /app
COPY --from=build-cuda /app/package.json ./package.json
COPY --from=build-cuda /app/node_modules ./node_modules
COPY --from=build-cuda /app/dist ./dist
COPY --from=build-cuda --chown=node:node /app/models ./models
RUN mkdir -p /app/var && chown node:node /app/var
USER node
VOLUME ["/app/var"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]

# ---------------------------------------------------------------------------------------
# runtime: the CPU image (last stage, so the default target; BuildKit skips the cuda stages)
# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to node and reaps zombies. Node would otherwise be PID 1,
# for which the kernel drops signals that have no handler, so a `docker stop` during
# start-up (before the app installs its SIGTERM handler) would wait for the SIGKILL.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DATA_DIR=/app/var \
    MODELS_DIR=/app/models \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
# dist holds the server, the CLI scripts (dist/scripts) and the compiled migrations
COPY --from=build /app/dist ./dist
# the model store: writable by the app user so `models:pull` works inside the container
COPY --from=build --chown=node:node /app/models ./models
# created here, owned by the app user, so a new named volume starts writable
RUN mkdir -p /app/var && chown node:node /app/var
USER node
VOLUME ["/app/var"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
