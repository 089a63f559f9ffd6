#!/usr/bin/env bash
# Builds and installs the pgvector extension into the local Debian PostgreSQL server.
#
# Debian bookworm ships no pgvector binary package, but trixie's source package builds
# against bookworm's PostgreSQL in seconds. The trixie deb-src entry lives only in a
# temporary sources file that this script passes to apt explicitly, so it is never part
# of the machine's apt configuration and can never pull trixie binaries in.
#
# Usage: sudo scripts/install-pgvector.sh
# Env:   PG_MAJOR        PostgreSQL major version (default: the running server's, else
#                        the newest under /usr/lib/postgresql)
#        PGVECTOR_SUITE  Debian suite to take the source from (default: trixie)
#        DEBIAN_MIRROR   archive URL (default: the one in this machine's apt sources)
#        PGHOST/PGUSER/PGPORT  how to reach the server for the checks (default 127.0.0.1,
#                        postgres, 5432)
# Exit:  0 installed or already available; non-zero with a message otherwise.
set -euo pipefail

log() { printf '[install-pgvector] %s\n' "$*" >&2; }
die() { printf '[install-pgvector] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and writes into PostgreSQL's directories)"
command -v apt-get >/dev/null || die "apt-get not found: this script is for Debian/Ubuntu"

export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}" PGPORT="${PGPORT:-5432}"
SUITE="${PGVECTOR_SUITE:-trixie}"

psql_q() { psql -d "${PGDATABASE:-postgres}" -X -tAc "$1" 2>/dev/null; }

detect_pg_major() {
  if [ -n "${PG_MAJOR:-}" ]; then echo "$PG_MAJOR"; return; fi
  local num
  if command -v psql >/dev/null && num="$(psql_q 'SHOW server_version_num')" && [ -n "$num" ]; then
    echo $((num / 10000)); return
  fi
  # shellcheck disable=SC2012
  ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1
}

PG_MAJOR="$(detect_pg_major)"
[ -n "$PG_MAJOR" ] || die "no PostgreSQL found (nothing under /usr/lib/postgresql and no server at $PGHOST:$PGPORT); set PG_MAJOR"
CONTROL="/usr/share/postgresql/$PG_MAJOR/extension/vector.control"

if [ -f "$CONTROL" ]; then
  log "pgvector is already installed for PostgreSQL $PG_MAJOR ($CONTROL); nothing to do"
  exit 0
fi
if [ "$(psql_q "SELECT 1 FROM pg_available_extensions WHERE name='vector'" || true)" = "1" ]; then
  log "the server at $PGHOST:$PGPORT already offers the vector extension; nothing to do"
  exit 0
fi

# The archive host this machine already uses (deb822 .sources or one-line .list entries).
detect_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local files=() f url
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && files+=("$f")
  done
  url="$( { grep -hE '^[[:space:]]*URIs:' "${files[@]}" 2>/dev/null | sed -E 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n'
            grep -hE '^[[:space:]]*deb(-src)?[[:space:]]' "${files[@]}" 2>/dev/null | sed -E 's/\[[^]]*\]//' | awk '{print $2}'
          } | grep -E '/debian/?$' | head -1 || true)"
  echo "${url:-http://deb.debian.org/debian}"
}
MIRROR="$(detect_mirror)"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$KEYRING" ] || die "$KEYRING is missing (install debian-archive-keyring)"

WORK="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
SRC_LIST="$WORK/$SUITE-src.list"
LISTS_BEFORE="$(ls /var/lib/apt/lists/)"
cleanup() {
  # Drop the source indexes this run downloaded, so nothing of $SUITE stays in apt's state.
  local f
  for f in /var/lib/apt/lists/*_dists_"${SUITE}"_*; do
    [ -e "$f" ] || continue
    grep -qxF "$(basename "$f")" <<<"$LISTS_BEFORE" || rm -f "$f"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
# apt fetches as the unprivileged _apt user, which must be able to write the downloads.
chmod 0755 "$WORK"
if id _apt >/dev/null 2>&1; then chown _apt "$WORK"; fi

echo "deb-src [signed-by=$KEYRING] $MIRROR $SUITE main" >"$SRC_LIST"
# Only this one source: no other list is read, and no other index is refreshed or removed.
APT_SRC_OPTS=(-o "Dir::Etc::SourceList=$SRC_LIST" -o "Dir::Etc::SourceParts=-" -o "APT::Get::List-Cleanup=0")

log "PostgreSQL $PG_MAJOR; fetching the pgvector source from $MIRROR $SUITE (deb-src only, temporary)"
apt-get "${APT_SRC_OPTS[@]}" -qq update || die "apt-get update for $MIRROR $SUITE (deb-src) failed: is the archive reachable?"
(cd "$WORK" && apt-get "${APT_SRC_OPTS[@]}" -qq source pgvector >/dev/null) || die "apt-get source pgvector failed"
SRC_DIR="$(find "$WORK" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -1)"
[ -n "$SRC_DIR" ] || die "apt-get source produced no pgvector-* directory in $WORK"
log "source: $(basename "$SRC_DIR")"

DEV_PKG="postgresql-server-dev-$PG_MAJOR"
if ! dpkg-query -W -f='${Status}' "$DEV_PKG" 2>/dev/null | grep -q 'ok installed'; then
  if ! apt-cache show "$DEV_PKG" >/dev/null 2>&1; then
    log "refreshing the machine's own package lists to find $DEV_PKG"
    apt-get -qq update
  fi
  log "installing $DEV_PKG and build tools from the machine's own suites"
  install_dev() { DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "$DEV_PKG" make gcc >/dev/null; }
  if ! install_dev; then
    log "retrying after refreshing the package lists (they may be stale)"
    { apt-get -qq update && install_dev; } || die "could not install $DEV_PKG"
  fi
fi

PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
[ -x "$PG_CONFIG" ] || die "$PG_CONFIG not found after installing $DEV_PKG"
log "building with $PG_CONFIG"
# OPTFLAGS: pgvector defaults to -march=native; set PGVECTOR_OPTFLAGS="" for a binary that
# must run on other CPUs (e.g. when this runs in an image build).
make_args=(-C "$SRC_DIR" -j"$(nproc)" PG_CONFIG="$PG_CONFIG")
[ -n "${PGVECTOR_OPTFLAGS+x}" ] && make_args+=("OPTFLAGS=$PGVECTOR_OPTFLAGS")
make "${make_args[@]}" >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; die "build failed"; }
make "${make_args[@]}" install >>"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; die "make install failed"; }

[ -f "$CONTROL" ] || die "make install finished but $CONTROL is missing"
log "installed: $CONTROL ($(sed -nE "s/^default_version = '(.*)'/\1/p" "$CONTROL"))"
if [ "$(psql_q "SELECT 1 FROM pg_available_extensions WHERE name='vector'" || true)" = "1" ]; then
  log "the server at $PGHOST:$PGPORT lists it; enable per database with: CREATE EXTENSION IF NOT EXISTS vector;"
else
  log "could not confirm through $PGUSER@$PGHOST:$PGPORT (server down or no access); the files are in place"
fi
