#!/usr/bin/env bash
# One command for the whole benchmark: builds the release binaries, starts the ceiling,
# qrlogin on the memory store, a private redis-server with two qrlogin instances on it,
# another with eight (the fan-out scenario), servers that differ only in --db (memory,
# a SQLite file, a fresh PostgreSQL database dropped at the end), and the Node
# oidc-provider peer, runs every scenario with one generator, writes BENCHMARKS.md,
# and stops everything it started (also on Ctrl-C or failure).
#
#   ./bench/run.sh                 # full run (~5 minutes once built)
#   WAITERS=5000 SECS=3 ./bench/run.sh   # a quicker look
#
# Everything listens on 127.0.0.1; waiters connect from 127.0.0.2.. (loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${SECS:-8}
OUT=${OUT:-$ROOT/BENCHMARKS.md}
START=$(date +%s)

TMP=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ -n "${PGDB:-}" ]; then
        psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[run.sh] $*" >&2; }

# 50,000 waiters need 50,000 descriptors in the server and as many in the generator.
ulimit -n 250000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# Where the hard limit is lower (containers), one server cannot hold 50,000 sockets;
# take what fits and let the report say so.
LIMIT=$(ulimit -n)
WAITERS=${WAITERS:-$(( LIMIT - 1000 < 50000 ? LIMIT - 1000 : 50000 ))}
# As HTTP/2 streams (what a proxy in front sends), 50,000 waiters are ~270 connections.
WAITERS_H2=${WAITERS_H2:-50000}
log "open files limit: $LIMIT, waiters per run: $WAITERS over HTTP/1.1, $WAITERS_H2 over HTTP/2"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() { # port, name
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    log "$2 did not start on port $1"; return 1
}

log "building release binaries"
cargo build --release -p qrlogin -p qrlogin-bench
cargo build --release --manifest-path ../shared/bench/ceiling/Cargo.toml --target-dir target/ceiling

CMDS=$TMP/commands.txt
cat >"$CMDS" <<EOF
./bench/run.sh   # SECS=$SECS WAITERS=$WAITERS WAITERS_H2=$WAITERS_H2; it runs:
cargo build --release -p qrlogin -p qrlogin-bench
cargo build --release --manifest-path ../shared/bench/ceiling/Cargo.toml --target-dir target/ceiling
ulimit -n $(ulimit -n)
EOF
start() { # name, port, command...
    local name=$1 port=$2; shift 2
    echo "$* &" | sed "s#$ROOT/##g; s#$TMP#\$TMP#g" >>"$CMDS"
    "$@" >"$TMP/$name.log" 2>&1 &
    PIDS+=($!)
    eval "PID_$name=$!"
    wait_port "$port" "$name"
}

CEIL=$(free_port); start ceiling "$CEIL" target/ceiling/release/ceiling "$CEIL"
# QR sessions live 15 minutes so those set up early in the run are still pending late.
# The load generator is one client address: the per-address limits and the memory
# store's bound (docs/security.md) would measure the limits, not the server; lifted.
SERVE=(target/release/qrlogin serve --demo --qr-ttl 900
    --qr-per-ip-per-minute 1000000000 --max-qr-sessions 100000000
    --max-waiters-per-ip 1000000 --login-attempts-per-ip 1000000)
SERVE+=(--oauth-per-ip-per-minute 1000000000 --passkey-per-ip-per-minute 1000000000)
# The password burst signs two demo accounts in 32 at a time from that one address.
SERVE+=(--login-attempts 1000000 --login-slowdown-after 1000000)
# The runs with the database on the path add their own --db; every other server keeps
# nothing durable (the default, sqlite://qrlogin.db in the working directory, is not
# what is measured, and would be left in the repository).
DB_SERVE=("${SERVE[@]}")
SERVE+=(--db memory)
MEM=$(free_port); start memory "$MEM" "${SERVE[@]}" --listen "127.0.0.1:$MEM" --store memory
BENCH=(target/release/qrlogin-bench --ceiling "127.0.0.1:$CEIL" --memory "127.0.0.1:$MEM")
PIDLIST="ceiling=$PID_ceiling,memory=$PID_memory"
# One fresh server per waiters run (long poll, SSE, WebSocket; over HTTP/1.1, then
# HTTP/2): RSS never shrinks after a free, so a server that held waiters before would
# hide the next run's cost.
fresh() { # store-name, store-url
    local addrs=() i port
    for i in 0 1 2 3 4 5; do
        port=$(free_port)
        start "fresh_$1$i" "$port" "${SERVE[@]}" --listen "127.0.0.1:$port" --store "$2"
        addrs+=("127.0.0.1:$port")
        PIDLIST+=",fresh-$1$i=$(eval echo "\$PID_fresh_$1$i")"
    done
    BENCH+=("--fresh-$1" "$(IFS=,; echo "${addrs[*]}")")
}
fresh memory memory

if command -v redis-server >/dev/null; then
    RP=$(free_port)
    start redisd "$RP" redis-server --port "$RP" --bind 127.0.0.1 --save "" --appendonly no
    R1=$(free_port); start redis "$R1" "${SERVE[@]}" --listen "127.0.0.1:$R1" --store "redis://127.0.0.1:$RP/0"
    R2=$(free_port); start redis2 "$R2" "${SERVE[@]}" --listen "127.0.0.1:$R2" --store "redis://127.0.0.1:$RP/0"
    BENCH+=(--redis "127.0.0.1:$R1" --redis2 "127.0.0.1:$R2" --redis-url "redis://127.0.0.1:$RP/0")
    PIDLIST+=",redis=$PID_redis,redis2=$PID_redis2"
    # The waiters runs' fresh servers get a Redis of their own: every instance hears
    # every "session changed" on its Redis, so six idle servers on the first one would
    # each be woken by every transition of the flow run and take CPU from it.
    RW=$(free_port)
    start redisw "$RW" redis-server --port "$RW" --bind 127.0.0.1 --save "" --appendonly no
    fresh redis "redis://127.0.0.1:$RW/0"
    # Fan-out: 8 instances on a Redis of their own (nothing else's messages on it); the
    # suite uses the first 1, 2, 4 and 8 and reads each one's /metrics.
    RF=$(free_port)
    start redisf "$RF" redis-server --port "$RF" --bind 127.0.0.1 --save "" --appendonly no
    FAN=()
    for i in 0 1 2 3 4 5 6 7; do
        port=$(free_port)
        start "fanout$i" "$port" "${SERVE[@]}" --listen "127.0.0.1:$port" --store "redis://127.0.0.1:$RF/0"
        FAN+=("127.0.0.1:$port")
    done
    BENCH+=(--fanout "$(IFS=,; echo "${FAN[*]}")" --fanout-redis-url "redis://127.0.0.1:$RF/0")
else
    log "redis-server not found: Redis scenarios will be reported as not run"
fi

# The database on the path: fresh servers that differ only in --db, each database
# beside its --db memory baseline (crates/qrlogin-bench/src/suite_db.rs).
D1=$(free_port); start db_memory "$D1" "${DB_SERVE[@]}" --listen "127.0.0.1:$D1" --store memory --db memory
D2=$(free_port); start db_sqlite "$D2" "${DB_SERVE[@]}" --listen "127.0.0.1:$D2" --store memory --db "sqlite://$TMP/bench.db"
BENCH+=(--db-memory "127.0.0.1:$D1" --db-sqlite "127.0.0.1:$D2")
PIDLIST+=",db-memory=$PID_db_memory,db-sqlite=$PID_db_sqlite"
if command -v redis-server >/dev/null; then
    # A Redis of their own, shared by the pair: each hears the other's transitions.
    RD=$(free_port)
    start redisdb "$RD" redis-server --port "$RD" --bind 127.0.0.1 --save "" --appendonly no
    D3=$(free_port); start db_redis "$D3" "${DB_SERVE[@]}" --listen "127.0.0.1:$D3" --store "redis://127.0.0.1:$RD/0" --db memory
    BENCH+=(--db-redis "127.0.0.1:$D3")
    PIDLIST+=",db-redis=$PID_db_redis"
    PG_NOTE=""
    if ! command -v psql >/dev/null; then
        PG_NOTE="psql not found"
    elif psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE qrlogin_bench_$$" >"$TMP/psql.log" 2>&1; then
        PGDB=qrlogin_bench_$$
        echo "psql -h 127.0.0.1 -U postgres -d test -c 'CREATE DATABASE $PGDB'   # dropped at the end" >>"$CMDS"
        D4=$(free_port); start db_postgres "$D4" "${DB_SERVE[@]}" --listen "127.0.0.1:$D4" --store "redis://127.0.0.1:$RD/0" \
            --db "postgres://postgres@127.0.0.1:5432/$PGDB"
        BENCH+=(--db-postgres "127.0.0.1:$D4")
        PIDLIST+=",db-postgres=$PID_db_postgres"
    else
        PG_NOTE="no PostgreSQL on 127.0.0.1:5432: $(tail -1 "$TMP/psql.log")"
    fi
    if [ -n "$PG_NOTE" ]; then log "$PG_NOTE"; BENCH+=(--db-postgres-note "$PG_NOTE"); fi
else
    BENCH+=(--db-postgres-note "redis-server not found")
fi

PEER_NOTE="npm or node not found"
if command -v npm >/dev/null && command -v node >/dev/null; then
    mkdir -p "$TMP/peer" && cp bench/peer/package.json bench/peer/server.mjs "$TMP/peer/"
    echo "(cd \$TMP/peer && npm install)   # bench/peer/package.json" >>"$CMDS"
    if (cd "$TMP/peer" && timeout 180 npm install --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1); then
        PP=$(free_port)
        start peer "$PP" node "$TMP/peer/server.mjs" "$PP"
        BENCH+=(--peer "127.0.0.1:$PP")
        PIDLIST+=",peer=$PID_peer"
        PEER_NOTE=""
    else
        PEER_NOTE="npm install oidc-provider failed: $(tail -1 "$TMP/npm.log")"
        log "$PEER_NOTE"
    fi
fi
[ -n "$PEER_NOTE" ] && BENCH+=(--peer-note "$PEER_NOTE")

BENCH+=(--pids "$PIDLIST" --secs "$SECS" --waiters "$WAITERS" --waiters-h2 "$WAITERS_H2" --commands "$CMDS" --out "$OUT")
echo "${BENCH[*]}" | sed "s#$ROOT/##g; s#$TMP#\$TMP#g" >>"$CMDS"
log "running the suite"
"${BENCH[@]}" >"$ROOT/target/bench-results.json"
log "done in $(( $(date +%s) - START )) s: $OUT (raw figures: target/bench-results.json)"
