#!/usr/bin/env bash
# A real pretix server on 127.0.0.1 for the gateway's integration tests (pytest -m pretix_real).
#
#   scripts/pretix-server.sh start    install (once), build + seed the DB (once), start, wait, write $PRETIX_DATA/env
#   scripts/pretix-server.sh stop     stop the server started by this script (pidfile only)
#   scripts/pretix-server.sh reset    stop, restore the pristine seeded DB, start again
#   scripts/pretix-server.sh status   exit 0 when the server answers
#
# Needs only Python >= 3.11 and pip access to PyPI. Facts behind the choices: shared/research/pretix-real.md.
# Environment:
#   PRETIX_VERSION      pretix release to install (default 2026.8.0)
#   PRETIX_VENV         venv for pretix (default ~/.cache/event-gateway/pretix-venv)
#   PRETIX_DATA         data dir: DB, cfg, logs, pidfile, env (default ~/.cache/event-gateway/pretix-data)
#   PRETIX_CACHE        where migrated schema templates are kept per version (default ~/.cache/event-gateway)
#   PRETIX_PORT         port on 127.0.0.1 (default 8345)
#   PRETIX_PYTHON       interpreter for the venv (default: first of python3.11/3.12/3.13/python3 that is >= 3.11)
#   PRETIX_FAST_SCHEMA  1 (default): build tables from the models in ~10 s; 0: run all migrations (~60 s)
#   PRETIX_REAL_TOKEN / PRETIX_REAL_READONLY_TOKEN  fix the seeded tokens (default: random, kept in the data dir)
set -euo pipefail

VERSION="${PRETIX_VERSION:-2026.8.0}"
CACHE="${PRETIX_CACHE:-$HOME/.cache/event-gateway}"
VENV="${PRETIX_VENV:-$CACHE/pretix-venv}"
DATA="${PRETIX_DATA:-$CACHE/pretix-data}"
PORT="${PRETIX_PORT:-8345}"
FAST_SCHEMA="${PRETIX_FAST_SCHEMA:-1}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pretix"

PIDFILE="$DATA/server.pid"
LOG="$DATA/server.log"
DB="$DATA/db.sqlite3"
API="http://127.0.0.1:$PORT/api/v1"

log() { printf '[pretix-server] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

pick_python() {
    local candidate
    for candidate in ${PRETIX_PYTHON:-python3.11 python3.12 python3.13 python3}; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    # An older interpreter would silently get an old pretix from pip.
    die "pretix $VERSION needs Python >= 3.11"
}

ensure_venv() {
    local marker="$VENV/.gw-pretix-version"
    if [[ -x "$VENV/bin/python" && -f "$marker" && "$(cat "$marker")" == "$VERSION" ]]; then
        return
    fi
    log "installing pretix==$VERSION into $VENV (about 35 s; log: $DATA/pip.log)"
    mkdir -p "$DATA"
    [[ -x "$VENV/bin/python" ]] || "$(pick_python)" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check "pretix==$VERSION" >"$DATA/pip.log" 2>&1 \
        || { tail -n 30 "$DATA/pip.log" >&2; die "pip install pretix==$VERSION failed"; }
    echo "$VERSION" >"$marker"
}

# Runs the venv's python with our cfg and settings module; pretix would otherwise look for /etc/pretix/pretix.cfg
# and silently create ./data/ in the current directory.
pretix_py() {
    PRETIX_CONFIG_FILE="$DATA/pretix.cfg" PYTHONPATH="$HERE" \
        DJANGO_SETTINGS_MODULE="${SETTINGS:-gw_pretix_settings}" "$VENV/bin/python" "$@"
}

write_config() {
    mkdir -p "$DATA/mail" "$DATA/logs" "$DATA/media"
    sed -e "s|@DATA@|$DATA|g" -e "s|@PORT@|$PORT|g" "$HERE/pretix.cfg.in" >"$DATA/pretix.cfg"
}

schema_template() { echo "$CACHE/pretix-schema-$VERSION-fast$FAST_SCHEMA.sqlite3"; }

seed_key() {
    local seed_hash
    seed_hash="$("$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest()[:12])' "$HERE/seed.py")"
    echo "$VERSION-$seed_hash"
}

remove_db() { rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"; }

# An empty pretix schema, built once per pretix version and copied afterwards (migrations take ~60 s of CPU).
build_schema() {
    local template
    template="$(schema_template)"
    if [[ -f "$template" ]]; then
        cp "$template" "$DB"
        return
    fi
    remove_db
    if [[ "$FAST_SCHEMA" == "1" ]]; then
        log "building schema from the models (fast schema)"
        SETTINGS=gw_pretix_nomigrations pretix_py -m pretix migrate --run-syncdb --noinput >"$DATA/migrate.log" 2>&1 \
            && pretix_py -m pretix migrate --fake --noinput >>"$DATA/migrate.log" 2>&1 \
            || { tail -n 30 "$DATA/migrate.log" >&2; die "schema build failed"; }
    else
        log "running all migrations (about a minute)"
        pretix_py -m pretix migrate --noinput >"$DATA/migrate.log" 2>&1 \
            || { tail -n 30 "$DATA/migrate.log" >&2; die "migrations failed"; }
    fi
    # Checkpoint the WAL so the single file is a complete copy.
    pretix_py -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.execute("PRAGMA journal_mode=DELETE"); c.close()' "$DB"
    mkdir -p "$CACHE"
    cp "$DB" "$template.tmp" && mv "$template.tmp" "$template"
}

# The seeded DB is kept as db.pristine.sqlite3 so that `reset` is a file copy.
ensure_db() {
    local key pristine="$DATA/db.pristine.sqlite3"
    key="$(seed_key)"
    if [[ -f "$pristine" && -f "$DATA/seed.env" && "$(cat "$DATA/pristine.key" 2>/dev/null)" == "$key" ]]; then
        [[ -f "$DB" ]] || cp "$pristine" "$DB"
        return
    fi
    build_schema
    log "seeding"
    pretix_py "$HERE/seed.py" "$DATA/seed.env" >"$DATA/seed.log" 2>&1 || { cat "$DATA/seed.log" >&2; die "seeding failed"; }
    pretix_py -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$DB"
    cp "$DB" "$pristine"
    echo "$key" >"$DATA/pristine.key"
}

server_pid() {
    local pid
    [[ -f "$PIDFILE" ]] || return 1
    pid="$(cat "$PIDFILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# HTTP status of GET $API/organizers/ with the seeded token (000 when nothing answers).
api_status() {
    local token
    token="$(sed -n 's/^PRETIX_REAL_TOKEN=//p' "$DATA/seed.env" 2>/dev/null)"
    "$VENV/bin/python" - "$API/organizers/" "$token" <<'EOF' 2>/dev/null || echo 000
import sys, urllib.error, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"Authorization": f"Token {sys.argv[2]}"})
try:
    print(urllib.request.urlopen(req, timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
EOF
}

wait_ready() {
    local deadline=$((SECONDS + 90)) pid
    while ((SECONDS < deadline)); do
        pid="$(server_pid)" || { tail -n 40 "$LOG" >&2; die "server exited during start-up (log: $LOG)"; }
        [[ "$(api_status)" == "200" ]] && return
        sleep 0.3
    done
    kill "$pid" 2>/dev/null || true
    die "server did not answer within 90 s (log: $LOG)"
}

write_env() {
    {
        echo "PRETIX_REAL_URL=$API"
        cat "$DATA/seed.env"
        echo "PRETIX_REAL_PID=$(cat "$PIDFILE")"
    } >"$DATA/env.tmp"
    mv "$DATA/env.tmp" "$DATA/env"
}

launch() {
    log "starting pretix on 127.0.0.1:$PORT"
    # --noreload: a single process, so the pidfile names everything there is to stop.
    nohup env PRETIX_CONFIG_FILE="$DATA/pretix.cfg" PYTHONPATH="$HERE" DJANGO_SETTINGS_MODULE=gw_pretix_settings \
        "$VENV/bin/python" -m pretix runserver --noreload "127.0.0.1:$PORT" >"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    wait_ready
}

cmd_start() {
    if server_pid >/dev/null && [[ "$(api_status)" == "200" ]]; then
        write_env
        log "already running: $API (env: $DATA/env)"
        return
    fi
    rm -f "$PIDFILE"
    ensure_venv
    write_config
    ensure_db
    launch
    write_env
    log "ready: $API (env: $DATA/env)"
}

cmd_stop() {
    local pid
    if pid="$(server_pid)"; then
        kill "$pid"
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        log "stopped (pid $pid)"
    fi
    rm -f "$PIDFILE"
}

cmd_reset() {
    [[ -f "$DATA/db.pristine.sqlite3" ]] || { cmd_start; return; }
    cmd_stop
    remove_db
    cp "$DATA/db.pristine.sqlite3" "$DB"
    cmd_start
}

cmd_status() {
    if server_pid >/dev/null && [[ "$(api_status)" == "200" ]]; then
        echo "running: $API"
    else
        echo "not running"
        return 1
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    reset) cmd_reset ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|reset|status" >&2; exit 2 ;;
esac
