#!/usr/bin/env bash
# Audit log benchmarks: batched append on SQLite and on a throwaway PostgreSQL cluster (a non-superuser role, so
# row-level security applies as in production), and verification of 1 M events against sha256sum over the same
# canonical bytes in the same run. Options go to the harness: --append N --tracked N --verify N --batch N --repeat N.
# Results: bench/results/audit.md (ignored by git); copy the table into bench/README.md.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$bench_dir/Kastell.Audit.Benchmarks"
results="$bench_dir/results"
mkdir -p "$results"

pg_bin="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
[[ -x "$pg_bin/initdb" ]] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 2; }

cluster="$(mktemp -d /tmp/kastell-audit-bench-pg.XXXXXX)"
run_pg() { if [[ "$EUID" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ "$EUID" -eq 0 ]] && chown postgres "$cluster"
port=$(( 20000 + RANDOM % 20000 ))
stop_cluster() { run_pg "$pg_bin/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$cluster"; }
trap stop_cluster EXIT

run_pg "$pg_bin/initdb" -D "$cluster/data" -A trust -U postgres >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$cluster/data" -w -l "$cluster/log" \
  -o "-p $port -k $cluster -c listen_addresses=127.0.0.1" start >/dev/null
psql_admin() { run_pg psql -h "$cluster" -p "$port" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql_admin -c "CREATE ROLE bench LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'bench'" -c "CREATE DATABASE bench OWNER bench"

dotnet build "$project" -c Release --nologo -v quiet
dotnet "$project/bin/Release/net10.0/Kastell.Audit.Benchmarks.dll" \
  --postgres "Host=127.0.0.1;Port=$port;Database=bench;Username=bench;Password=bench" --out "$results/audit.md" "$@"
