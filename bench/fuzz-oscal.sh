#!/usr/bin/env bash
# Fuzzes the OSCAL reader and profile resolver (bench/Kastell.Oscal.Fuzz) with AFL++ and SharpFuzz.
#   bash bench/fuzz-oscal.sh                  1,000,000 executions (AFL++ -E), then the figures
#   FUZZ_EXECS=5000000 bash bench/fuzz-oscal.sh
#   FUZZ_SECONDS=600 bash bench/fuzz-oscal.sh  stop after a time instead (AFL++ -V)
#   FUZZ_INSTANCES=2 bash bench/fuzz-oscal.sh  one main and N-1 secondary instances (one per core), executions summed
# Installs AFL++ from Debian and the SharpFuzz instrumenter (local dotnet tool) when missing, publishes the harness,
# instruments Kastell.Oscal.dll in place and runs afl-fuzz on it. Findings land in bench/.fuzz/ (ignored by git).
# Exit status is non-zero when AFL++ saved a crash or a hang; each is replayed uninstrumented and printed.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench_dir/.." && pwd)"
work="$bench_dir/.fuzz"
execs="${FUZZ_EXECS:-1000000}"
instances="${FUZZ_INSTANCES:-1}"

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && apt-get install -y -qq afl++
fi

cd "$repo"
dotnet tool restore >/dev/null
rm -rf "$work/bin"
dotnet publish bench/Kastell.Oscal.Fuzz -c Release -o "$work/bin" --nologo -v quiet
# SharpFuzz instruments in place; only the library under test, not the harness or the runtime.
DOTNET_ROLL_FORWARD=Major dotnet sharpfuzz "$work/bin/Kastell.Oscal.dll"

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
findings="$work/findings"
rm -rf "$findings"
limit=(-E "$((execs / instances))")
if [[ -n "${FUZZ_SECONDS:-}" ]]; then limit=(-V "$FUZZ_SECONDS"); fi

# -t: a hang is an input that runs longer than 5 s (the slowest real input, a 1 MiB document, takes milliseconds).
# -m none: .NET reserves far more virtual memory than AFL's default limit.
pids=()
for ((i = 0; i < instances; i++)); do
  role=(-M main)
  if ((i > 0)); then role=(-S "secondary$i"); fi
  afl-fuzz -i bench/Kastell.Oscal.Fuzz/corpus -o "$findings" "${role[@]}" -t 5000 -m none "${limit[@]}" \
    -- dotnet "$work/bin/Kastell.Oscal.Fuzz.dll" >"$work/afl-$i.log" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done

total_execs=0 crashes=0 hangs=0 seconds=0
for stats in "$findings"/*/fuzzer_stats; do
  value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  total_execs=$((total_execs + $(value execs_done)))
  crashes=$((crashes + $(value saved_crashes)))
  hangs=$((hangs + $(value saved_hangs)))
  run=$(( $(value last_update) - $(value start_time) ))
  ((run > seconds)) && seconds=$run
done
echo "afl-fuzz exit status: $status"
echo "executions: $total_execs, crashes: $crashes, hangs: $hangs, seconds: $seconds, instances: $instances"

found=0
for dir in "$findings"/*/crashes "$findings"/*/hangs; do
  for input in "$dir"/id:*; do
    [[ -e "$input" ]] || continue
    found=1
    echo "== $input"
    mkdir -p "$work/replay" && cp "$input" "$work/replay/"
  done
done
if ((found)); then
  # Replays uninstrumented so the exception and its stack trace are printed.
  dotnet run --project bench/Kastell.Oscal.Fuzz -c Release -- --replay "$work/replay" || true
  exit 1
fi
