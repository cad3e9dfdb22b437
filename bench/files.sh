#!/usr/bin/env bash
# The cost of authorization on a Space's file list (issue 10, item 10): the files page and the API list of a Space with
# 1,000 files, 200 members and 20 teams (5 nested, Space roles given to teams), signed in as three people, on SQLite
# and on PostgreSQL (a throwaway cluster, an ordinary role so row-level security applies). Kastell's host runs in
# process (bench/Kastell.FileList.Benchmarks), one worker process per build; with --before, a second build from
# another commit is seeded alike and the two are alternated round by round in the same run. See bench/README.md.
#
#   bash bench/files.sh                          this tree, sqlite and postgres
#   bash bench/files.sh --before 978a143         also the build of another commit (it must have kastell.authorization.duration)
#   options: --providers sqlite,postgres --rounds N --per-round N --warmup N --files N --members N --teams N --controls N
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench_dir/.." && pwd)"
providers="sqlite,postgres"
before=""
passthrough=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --providers) providers="$2"; shift 2 ;;
    --before) before="$2"; shift 2 ;;
    --rounds|--per-round|--warmup|--files|--members|--teams|--controls) passthrough+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1 (see the head of bench/files.sh)" >&2; exit 2 ;;
  esac
done

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
as_root() { if [[ "$EUID" -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
run_pg() { if [[ "$EUID" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work="$(mktemp -d /tmp/kastell-files-bench.XXXXXX)"
cluster=""
cleanup() {
  if [[ -n "$cluster" ]]; then run_pg "$pg_bin/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$cluster"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

project="bench/Kastell.FileList.Benchmarks"
log "building this tree (Release)"
dotnet build "$repo/$project" -c Release --nologo -v quiet >/dev/null
variants=(--variant "kastell=$repo/$project/bin/Release/net10.0/Kastell.FileList.Benchmarks.dll")
names=(kastell)
title="commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src || echo '+changes')"
if [[ -n "$before" ]]; then
  log "building $before (with this tree's benchmark project)"
  mkdir -p "$work/before"
  git -C "$repo" archive "$before" | tar -x -C "$work/before"
  grep -q AuthorizationDuration "$work/before/src/Kastell.Server/Platform/Observability/KastellTelemetry.cs" \
    || { echo "$before does not record kastell.authorization.duration: pick a commit from 978a143 on" >&2; exit 2; }
  rm -rf "$work/before/$project" && cp -r "$repo/$project" "$work/before/$project" && rm -rf "$work/before/$project/bin" "$work/before/$project/obj"
  dotnet build "$work/before/$project" -c Release --nologo -v quiet >/dev/null
  variants=(--variant "before=$work/before/$project/bin/Release/net10.0/Kastell.FileList.Benchmarks.dll" "${variants[@]}")
  names=(before kastell)
  title="$title, before = $before ($(git -C "$repo" rev-parse --short "$before"))"
fi

postgres=()
if [[ ",$providers," == *",postgres,"* ]]; then
  pg_bin="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "$pg_bin/initdb" ]] || { as_root apt-get install -y postgresql >/dev/null; pg_bin="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -n 1)"; }
  cluster="$(mktemp -d /tmp/kastell-files-bench-pg.XXXXXX)"
  [[ "$EUID" -eq 0 ]] && chown postgres "$cluster"
  pg_port="$(free_port)"
  run_pg "$pg_bin/initdb" -D "$cluster/data" -A trust -U postgres >/dev/null
  run_pg "$pg_bin/pg_ctl" -D "$cluster/data" -w -l "$cluster/log" -o "-p $pg_port -k $cluster -c listen_addresses=127.0.0.1" start >/dev/null
  for name in "${names[@]}"; do
    run_pg psql -h "$cluster" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE ROLE kastell_$name LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'bench'" -c "CREATE DATABASE kastell_$name OWNER kastell_$name"
  done
  postgres=(--postgres "Host=127.0.0.1;Port=$pg_port;Database=kastell_{variant};Username=kastell_{variant};Password=bench")
fi

mkdir -p "$bench_dir/results"
dotnet "$repo/$project/bin/Release/net10.0/Kastell.FileList.Benchmarks.dll" compare "${variants[@]}" --providers "$providers" \
  "${postgres[@]}" "${passthrough[@]}" --title "$title" --out "$bench_dir/results/files.md"
