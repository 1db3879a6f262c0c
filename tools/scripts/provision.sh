#!/usr/bin/env bash
# Makes this machine able to run every test suite: `npm test` runs it first, `.ci/run` too.
# When everything is there it only looks (a few `command -v` and two pings) and prints one line.
#
#   what                 why                                                  from (when missing)
#   chromium             the Swagger UI browser test                          Debian chromium (or CHROMIUM_PATH)
#   kubectl              renders every Kustomize overlay (tools/deploy-checks) Debian kubernetes-client (or KUBECTL)
#   promtool             checks and unit-tests the alert rules                Debian prometheus, promtool alone (or PROMTOOL)
#   pgbouncer            connection-pooler tests (private instances)          Debian pgbouncer, its service not started
#   redis-server, -cli   private Redis, Cluster and Sentinel (--sentinel) nodes  Debian redis-server
#   PostgreSQL 15 bins   initdb/pg_ctl for private instances (PG_BIN)         Debian postgresql-15
#   PostgreSQL, Redis    the servers the suites use (DATABASE_URL / REDIS_URL, default the local ones): started when
#                        they are local and stopped
#
# The SMTP server of the mail tests runs inside Jest (the smtp-server package): nothing to install.
# Installing needs apt-get and root (or sudo); without them it names what is missing and what to run, and fails.
# Usage: tools/scripts/provision.sh [--verbose]   (--verbose prints every tool's version, as CI logs do)
set -euo pipefail

verbose=0
[ "${1:-}" = "--verbose" ] && verbose=1
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DATABASE_URL_FOR_TESTS=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
REDIS_URL_FOR_TESTS=${REDIS_URL:-redis://127.0.0.1:6379/0}

say() { printf 'provision: %s\n' "$*"; }
fail() {
  printf 'provision: %s\n' "$@" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

chromium_binary() {
  # The same candidates as libs/testing/src/chromium.ts (the launcher every browser test uses).
  local candidate
  for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}
# Debian puts pgbouncer in /usr/sbin, which is not on every user's PATH.
pgbouncer_binary() { command -v pgbouncer 2>/dev/null || { [ -x /usr/sbin/pgbouncer ] && echo /usr/sbin/pgbouncer; }; }
pg_binaries_present() { [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/postgres" ]; }

# --- what is missing --------------------------------------------------------------------------------
missing_names=()    # for people
missing_packages=() # for apt-get install
need_promtool=0
chromium_binary >/dev/null || { missing_names+=("chromium (Debian package chromium)"); missing_packages+=(chromium); }
[ -n "${KUBECTL:-}" ] || have kubectl || { missing_names+=("kubectl (Debian package kubernetes-client)"); missing_packages+=(kubernetes-client); }
[ -n "${PROMTOOL:-}" ] || have promtool || { missing_names+=("promtool (taken alone from Debian package prometheus)"); need_promtool=1; }
pgbouncer_binary >/dev/null || { missing_names+=("pgbouncer (Debian package pgbouncer)"); missing_packages+=(pgbouncer); }
{ have redis-server && have redis-cli; } || { missing_names+=("redis-server and redis-cli (Debian package redis-server)"); missing_packages+=(redis-server); }
pg_binaries_present || { missing_names+=("PostgreSQL 15 binaries in $PG_BIN (Debian package postgresql-15, or set PG_BIN)"); missing_packages+=(postgresql-15); }

# --- installing it ----------------------------------------------------------------------------------
root_prefix=()
can_be_root() {
  if [ "$(id -u)" = 0 ]; then return 0; fi
  have sudo || return 1
  # Non-interactive sudo (CI), or a terminal where sudo can ask for the password.
  if sudo -n true 2>/dev/null || [ -t 0 ]; then
    root_prefix=(sudo)
    return 0
  fi
  return 1
}
as_root() { "${root_prefix[@]}" "$@"; }

APT_OPTIONS=(-y --no-install-recommends -o DPkg::Lock::Timeout=300)
apt_install() {
  local log
  log=$(mktemp)
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${APT_OPTIONS[@]}" "$@" >"$log" 2>&1; then
    # A machine that never ran `apt-get update` has no package lists yet.
    as_root apt-get update -o DPkg::Lock::Timeout=300 >>"$log" 2>&1 &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${APT_OPTIONS[@]}" "$@" >>"$log" 2>&1 ||
      {
        cat "$log" >&2
        rm -f "$log"
        fail "apt-get install $* failed (output above)"
      }
  fi
  rm -f "$log"
}

install_promtool() {
  # Only the promtool binary: installing the prometheus package would pull in its web assets and
  # start a Prometheus server on :9090, which is user-grpc's port.
  local dir
  dir=$(mktemp -d)
  (
    cd "$dir"
    apt-get download prometheus >/dev/null 2>&1 || { as_root apt-get update >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }
  ) || {
    rm -rf "$dir"
    fail "could not download Debian's prometheus package (apt-get download prometheus)"
  }
  dpkg-deb -x "$dir"/prometheus_*.deb "$dir/root"
  as_root install -m 0755 "$dir/root/usr/bin/promtool" /usr/local/bin/promtool
  rm -rf "$dir"
}

# Debian starts a service as soon as its package is installed: pgbouncer on 6432, redis-server on
# 6379, a PostgreSQL cluster on 5432. The tests start private instances themselves, so packages go
# in with service starts refused (a policy-rc.d that exits 101, as in Docker builds); the shared
# PostgreSQL and Redis are started below with the same commands as always.
created_policy=0
refuse_service_starts() {
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# written by tools/scripts/provision.sh while it installs packages\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
}
allow_service_starts() {
  if [ "$created_policy" = 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  created_policy=0
}

if [ ${#missing_names[@]} -gt 0 ]; then
  if ! have apt-get || ! have dpkg-deb || ! can_be_root; then
    printf 'provision: missing for the tests:\n' >&2
    printf '  - %s\n' "${missing_names[@]}" >&2
    if have apt-get; then
      reason="installing them needs root: run 'sudo bash tools/scripts/provision.sh' once, then npm test again"
    else
      reason="this is not a Debian-like machine (no apt-get): install them with your package manager"
    fi
    fail "$reason," \
      "or point CHROMIUM_PATH / KUBECTL / PROMTOOL / PG_BIN at binaries you already have (README, Requirements)."
  fi
  # Several people (or CI jobs) may start `npm test` at once: one installs, the others wait.
  if have flock; then
    exec 9>"${TMPDIR:-/tmp}/pandora-provision.lock"
    flock 9
  fi
  trap allow_service_starts EXIT
  say "installing what the tests need: ${missing_names[*]}"
  if [ ${#missing_packages[@]} -gt 0 ]; then
    refuse_service_starts
    apt_install "${missing_packages[@]}"
    allow_service_starts
    if [[ " ${missing_packages[*]} " == *" pgbouncer "* ]] && [ -d /run/systemd/system ]; then
      # Do not let it start on the next boot either: tests run private instances on free ports.
      as_root systemctl disable --now pgbouncer >/dev/null 2>&1 || true
    fi
  fi
  if [ "$need_promtool" = 1 ]; then install_promtool; fi
  hash -r
fi

# Verify, whatever the path taken: a broken install must fail here, not in the middle of Jest.
chromium_binary >/dev/null || fail "chromium is still missing"
[ -n "${KUBECTL:-}" ] || have kubectl || fail "kubectl is still missing"
[ -n "${PROMTOOL:-}" ] || have promtool || fail "promtool is still missing"
pgbouncer_binary >/dev/null || fail "pgbouncer is still missing"
{ have redis-server && have redis-cli; } || fail "redis-server / redis-cli are still missing"
pg_binaries_present || fail "the PostgreSQL 15 binaries are still missing in $PG_BIN"

# --- the PostgreSQL and Redis the suites use --------------------------------------------------------
# Prints "host port" of a postgresql:// or redis:// URL.
host_and_port() {
  local rest=${1#*://} default_port=$2 host port
  rest=${rest%%/*}
  rest=${rest%%\?*}
  rest=${rest##*@}
  if [[ $rest == \[* ]]; then
    host=${rest%%]*}
    host=${host#[}
    port=${rest##*]}
    port=${port#:}
  else
    host=${rest%%:*}
    port=${rest#"$host"}
    port=${port#:}
  fi
  printf '%s %s\n' "${host:-127.0.0.1}" "${port:-$default_port}"
}
is_local() { case $1 in 127.0.0.1 | localhost | ::1) return 0 ;; *) return 1 ;; esac }
wait_for() {
  local what=$1
  shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  fail "$what did not come up"
}

pg_isready_binary=$(command -v pg_isready || echo "$PG_BIN/pg_isready")
read -r pg_host pg_port < <(host_and_port "$DATABASE_URL_FOR_TESTS" 5432)
postgres_answers() { "$pg_isready_binary" -h "$pg_host" -p "$pg_port" -q; }
if ! postgres_answers; then
  is_local "$pg_host" || fail "PostgreSQL at $pg_host:$pg_port (DATABASE_URL) does not answer"
  cluster_version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1 || true)
  [ -n "$cluster_version" ] || fail "PostgreSQL does not answer at $pg_host:$pg_port and there is no cluster to start in /etc/postgresql" \
    "(create one: sudo pg_createcluster 15 main --start), or set DATABASE_URL"
  can_be_root || fail "PostgreSQL is stopped; start it: sudo pg_ctlcluster $cluster_version main start"
  say "PostgreSQL $cluster_version is not running; starting it"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start
  wait_for "PostgreSQL at $pg_host:$pg_port" postgres_answers
fi

read -r redis_host redis_port < <(host_and_port "$REDIS_URL_FOR_TESTS" 6379)
redis_answers() { [ "$(redis-cli -h "$redis_host" -p "$redis_port" ping 2>/dev/null)" = PONG ]; }
if ! redis_answers; then
  is_local "$redis_host" || fail "Redis at $redis_host:$redis_port (REDIS_URL) does not answer"
  say "Redis is not running on port $redis_port; starting it (nothing persisted)"
  if [ "$(id -u)" = 0 ]; then
    redis_dir=/var/lib/redis
    redis_log=/var/log/redis/ci.log
    mkdir -p "$redis_dir" /var/log/redis
  else
    redis_dir="${TMPDIR:-/tmp}/pandora-redis-$(id -u)"
    redis_log="$redis_dir/redis.log"
    mkdir -p "$redis_dir"
  fi
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" --appendonly no --dir "$redis_dir" --logfile "$redis_log"
  wait_for "Redis at $redis_host:$redis_port" redis_answers
fi

if [ "$verbose" = 1 ]; then
  say "chromium: $("$(chromium_binary)" --version 2>/dev/null | head -n1)"
  say "kubectl: $("${KUBECTL:-kubectl}" version --client 2>&1 | head -n1)"
  say "promtool: $("${PROMTOOL:-promtool}" --version 2>&1 | head -n1)"
  say "pgbouncer: $("$(pgbouncer_binary)" --version 2>&1 | head -n1)"
  say "redis-server: $(redis-server --version | head -n1)"
  say "PostgreSQL binaries: $("$PG_BIN/postgres" --version)"
  say "PostgreSQL at $pg_host:$pg_port: $(psql "$DATABASE_URL_FOR_TESTS" -Atc 'select version()' 2>&1 | head -n1)"
  say "Redis at $redis_host:$redis_port: $(redis-cli -h "$redis_host" -p "$redis_port" info server | grep -E '^redis_version' | tr -d '\r')"
else
  say "chromium, kubectl, promtool, pgbouncer, redis-server, PostgreSQL 15 binaries present;" \
    "PostgreSQL $pg_host:$pg_port and Redis $redis_host:$redis_port answer"
fi
