#!/usr/bin/env bash
# Smoke test of the Docker image: build it, run it the way docs/docker.md says, and check
# what an operator relies on.
#
#   scripts/docker-smoke.sh                 build the CPU image and test it
#   TARGET=cuda scripts/docker-smoke.sh     the GPU image (add DOCKER_RUN_ARGS=--gpus=all on a GPU host)
#   IMAGE=llmos:1.2 NO_BUILD=1 scripts/docker-smoke.sh   test an image that already exists
#
# Checks: /health/ready answers; /docs/openapi.json lists /health/live; an unknown route
# gives the native 404 JSON with a requestId; the process runs as the unprivileged node
# user under tini; the Docker HEALTHCHECK turns healthy; `docker stop` (SIGTERM) ends it
# with exit code 0; an API key created through the admin API still works from a NEW
# container on the same named volume (the data lives in the volume).
#
# Exit codes: 0 passed, 1 failed, 77 skipped because no Docker engine is reachable
# (the convention of automake and meson, so CI can tell "skipped" from "failed").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${TARGET:-runtime}"
IMAGE="${IMAGE:-llmos:smoke-$TARGET}"
READY_TIMEOUT="${READY_TIMEOUT:-180}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-90}"
read -r -a RUN_ARGS <<<"${DOCKER_RUN_ARGS:-}"
ADMIN_KEY="sk-smoke-admin-$$-$RANDOM"
SUFFIX="$$-$RANDOM"
CONTAINER="llmos-smoke-$SUFFIX"
VOLUME="llmos-smoke-$SUFFIX"
BODY="$(mktemp)"

log() { printf '[docker-smoke] %s\n' "$*" >&2; }
fail() {
  printf '[docker-smoke] FAIL: %s\n' "$*" >&2
  if docker inspect "$CONTAINER" >/dev/null 2>&1; then
    printf '[docker-smoke] last container logs:\n' >&2
    docker logs --tail 40 "$CONTAINER" >&2 || true
  fi
  exit 1
}

if ! command -v docker >/dev/null 2>&1; then
  log "SKIPPED: the docker command is not installed"
  exit 77
fi
if ! docker info >/dev/null 2>&1; then
  log "SKIPPED: no Docker engine is reachable (docker info failed: $(docker info 2>&1 | tail -1))"
  exit 77
fi

cleanup() {
  docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  docker volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  rm -f "$BODY"
}
trap cleanup EXIT

# http METHOD URL [JSON] [BEARER] -> prints the status code; the body goes to $BODY
http() {
  local method="$1" url="$2" data="${3:-}" token="${4:-}"
  if command -v curl >/dev/null 2>&1; then
    local args=(-sS -o "$BODY" -w '%{http_code}' -X "$method" --max-time 10)
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data "$data")
    # on a connection failure curl prints 000 itself and exits non-zero
    curl "${args[@]}" "$url" 2>/dev/null || true
  else
    M="$method" U="$url" D="$data" T="$token" O="$BODY" node -e '
      const h = {}; if (process.env.T) h.authorization = "Bearer " + process.env.T;
      if (process.env.D) h["content-type"] = "application/json";
      fetch(process.env.U, { method: process.env.M, headers: h, body: process.env.D || undefined, signal: AbortSignal.timeout(10000) })
        .then(async (r) => { require("fs").writeFileSync(process.env.O, await r.text()); process.stdout.write(String(r.status)); })
        .catch(() => process.stdout.write("000"));'
  fi
}

start_container() {
  docker run -d --name "$CONTAINER" -p 127.0.0.1::3000 -v "$VOLUME:/app/var" \
    -e API_KEYS="$ADMIN_KEY:admin:smoke" "${RUN_ARGS[@]}" "$IMAGE" >/dev/null || fail "docker run failed"
  PORT="$(docker port "$CONTAINER" 3000/tcp | head -1 | sed 's/.*://')"
  [ -n "$PORT" ] || fail "no host port was published"
  BASE="http://127.0.0.1:$PORT"
  log "container $CONTAINER on $BASE; waiting up to ${READY_TIMEOUT}s for /health/ready"
  local waited=0
  until [ "$(http GET "$BASE/health/ready")" = 200 ]; do
    [ "$(docker inspect -f '{{.State.Running}}' "$CONTAINER")" = true ] || fail "the container exited during start-up (exit code $(docker inspect -f '{{.State.ExitCode}}' "$CONTAINER"))"
    waited=$((waited + 1))
    [ "$waited" -lt "$READY_TIMEOUT" ] || fail "/health/ready did not answer 200 within ${READY_TIMEOUT}s"
    sleep 1
  done
  log "ready after ~${waited}s"
}

if [ "${NO_BUILD:-0}" != 1 ]; then
  log "building $IMAGE (target $TARGET)"
  started=$SECONDS
  docker build --target "$TARGET" -t "$IMAGE" "$ROOT" || fail "docker build failed"
  log "built in $((SECONDS - started))s; size $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
fi

start_container

status="$(http GET "$BASE/docs/openapi.json")"
[ "$status" = 200 ] || fail "GET /docs/openapi.json answered $status"
grep -q '"/health/live"' "$BODY" || fail "the OpenAPI document does not list /health/live"
log "ok: /docs/openapi.json lists /health/live"

status="$(http GET "$BASE/nope" "" "$ADMIN_KEY")"
[ "$status" = 404 ] || fail "GET /nope answered $status, expected 404"
{ grep -q '"statusCode":404' "$BODY" && grep -q '"requestId":"' "$BODY"; } || fail "GET /nope body is not the native error shape: $(head -c 300 "$BODY")"
log "ok: unknown route -> 404 JSON with requestId"

[ "$(docker exec "$CONTAINER" id -un)" = node ] || fail "the server does not run as the node user"
[ "$(docker exec "$CONTAINER" cat /proc/1/comm)" = tini ] || fail "PID 1 is not tini"
docker exec "$CONTAINER" node dist/scripts/models-pull.js --help >/dev/null || fail "the models:pull CLI does not start inside the image"
log "ok: runs as node under tini; models:pull CLI present"

status="$(http POST "$BASE/api/v1/auth/keys" '{"name":"docker smoke","role":"user","ownerId":"smoke"}' "$ADMIN_KEY")"
[ "$status" = 201 ] || fail "creating an API key answered $status: $(head -c 300 "$BODY")"
USER_KEY="$(sed -n 's/.*"key":"\([^"]*\)".*/\1/p' "$BODY")"
[ -n "$USER_KEY" ] || fail "the created key is not in the response"
[ "$(http GET "$BASE/api/v1/auth/me" "" "$USER_KEY")" = 200 ] || fail "the new key is refused before the restart"
log "ok: created an API key (stored in the database on the volume)"

log "waiting up to ${HEALTH_TIMEOUT}s for the Docker HEALTHCHECK to report healthy"
waited=0
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$CONTAINER")" = healthy ]; do
  waited=$((waited + 1))
  [ "$waited" -lt "$HEALTH_TIMEOUT" ] || fail "HEALTHCHECK status is $(docker inspect -f '{{.State.Health.Status}}' "$CONTAINER") after ${HEALTH_TIMEOUT}s"
  sleep 1
done
log "ok: HEALTHCHECK healthy"

docker stop -t 30 "$CONTAINER" >/dev/null
code="$(docker inspect -f '{{.State.ExitCode}}' "$CONTAINER")"
[ "$code" = 0 ] || fail "docker stop (SIGTERM) ended the server with exit code $code, expected 0"
docker logs "$CONTAINER" 2>&1 | grep -q 'SIGTERM: draining' || fail "the logs do not show the SIGTERM drain"
log "ok: SIGTERM -> drained, exit code 0"

docker rm "$CONTAINER" >/dev/null
start_container
status="$(http GET "$BASE/api/v1/auth/me" "" "$USER_KEY")"
[ "$status" = 200 ] || fail "after re-creating the container the stored key is refused ($status): the volume did not keep the data"
grep -q '"ownerId":"smoke"' "$BODY" || fail "GET /api/v1/auth/me after restart: unexpected body $(head -c 300 "$BODY")"
log "ok: a new container on the same volume still knows the key"

log "PASSED ($IMAGE)"
