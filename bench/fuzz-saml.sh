#!/usr/bin/env bash
# Fuzzes Kastell.Saml (response parser and validator, metadata reader) with AFL++ from Debian and SharpFuzz.
#
#   bash bench/fuzz-saml.sh                      # 1,000,000 executions (AFL++ -E), then a summary
#   KASTELL_FUZZ_EXECUTIONS=50000 bash bench/fuzz-saml.sh
#   KASTELL_FUZZ_MODE=loop bash bench/fuzz-saml.sh   # in-process mutation loop instead of AFL++
#
# Steps: install afl++ (apt) if missing; restore SharpFuzz.CommandLine (dotnet-tools.json); build the harness into
# bench/.fuzz/bin; instrument Kastell.Saml.dll and System.Security.Cryptography.Xml.dll there (the copies, never the
# normal build output) after writing keys and the seed corpus (valid responses, XSW1-8, comment injection, XXE,
# metadata) with the harness's `seeds` command; run afl-fuzz on the harness in SharpFuzz's out-of-process mode; print
# executions, crashes and hangs from fuzzer_stats and replay every crash and hang input through the harness.
# Exit status: 0 when the run finished with no crash and no hang.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly WORK="$REPO_ROOT/bench/.fuzz"
readonly BIN="$WORK/bin"
readonly DATA="$WORK/data"
readonly FINDINGS="$WORK/findings"
readonly EXECUTIONS="${KASTELL_FUZZ_EXECUTIONS:-1000000}"
readonly MODE="${KASTELL_FUZZ_MODE:-afl}"
readonly TIMEOUT_MS="${KASTELL_FUZZ_TIMEOUT_MS:-2000}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

say() { printf '[fuzz] %s\n' "$*"; }

if [[ "$MODE" == afl ]] && ! command -v afl-fuzz >/dev/null 2>&1; then
    say "installing afl++ (Debian)"
    apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends afl++ >/dev/null
fi

cd "$REPO_ROOT"
dotnet tool restore >/dev/null
say "building the harness"
rm -rf "$BIN"
dotnet build bench/Kastell.Saml.Fuzz/Kastell.Saml.Fuzz.csproj -c Release -o "$BIN" -nologo -v:quiet --disable-build-servers >/dev/null
# Seeds first: instrumented assemblies only run under AFL++ (they write coverage to its shared memory).
rm -rf "$DATA" "$FINDINGS"
dotnet "$BIN/Kastell.Saml.Fuzz.dll" seeds "$DATA"
if [[ "$MODE" == afl ]]; then
    for assembly in Kastell.Saml.dll System.Security.Cryptography.Xml.dll; do
        say "instrumenting $assembly"
        dotnet tool run sharpfuzz "$BIN/$assembly" >/dev/null
    done
fi

if [[ "$MODE" == loop ]]; then
    say "in-process mutation loop, $EXECUTIONS executions"
    exec dotnet "$BIN/Kastell.Saml.Fuzz.dll" loop "$DATA" "$EXECUTIONS"
fi

# dotnet itself is not instrumented (the instrumented assemblies report coverage through SharpFuzz), so AFL++'s binary
# check is skipped; containers have no core_pattern or CPU governor to tune.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
say "afl-fuzz: $EXECUTIONS executions, timeout ${TIMEOUT_MS} ms"
afl-fuzz -i "$DATA/seeds" -o "$FINDINGS" -x bench/Kastell.Saml.Fuzz/saml.dict -t "$TIMEOUT_MS" -m none -E "$EXECUTIONS" \
    -- dotnet "$BIN/Kastell.Saml.Fuzz.dll" afl "$DATA" >"$WORK/afl.log" 2>&1 || { tail -30 "$WORK/afl.log"; exit 2; }

stats="$FINDINGS/default/fuzzer_stats"
value() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
executions="$(value execs_done)"
crashes="$(value saved_crashes)"
hangs="$(value saved_hangs)"
say "executions: $executions, crashes: $crashes, hangs: $hangs, corpus: $(value corpus_count), edges: $(value edges_found)/$(value total_edges), run time: $(( $(value last_update) - $(value start_time) )) s"
shopt -s nullglob
findings=("$FINDINGS"/default/crashes/id:* "$FINDINGS"/default/hangs/id:*)
if [[ "${#findings[@]}" -gt 0 ]]; then
    say "replaying ${#findings[@]} crash and hang inputs (uninstrumented build)"
    dotnet build bench/Kastell.Saml.Fuzz/Kastell.Saml.Fuzz.csproj -c Release -o "$WORK/replay-bin" -nologo -v:quiet --disable-build-servers >/dev/null
    dotnet "$WORK/replay-bin/Kastell.Saml.Fuzz.dll" replay "$DATA" "${findings[@]}" || true
fi

[[ "$crashes" == 0 && "$hangs" == 0 ]]
