#!/usr/bin/env bash
# Kastell's request path against a bare ASP.NET Core hello-world (bench/Kastell.Web.HelloWorld): both on this machine,
# the same Kestrel certificate (created here), the same load tool (wrk, 2 threads, 16 connections, HTTPS), runs
# interleaved round by round. Seeds its own data (bench/Kastell.Web.Benchmarks seed), measures six requests on SQLite
# and on PostgreSQL (a throwaway cluster, an ordinary role so row-level security applies), then a soak of the mix for
# the memory goal, and prints the table (also bench/results/web.md, ignored by git). See bench/README.md.
#
#   bash bench/web.sh                        full run: sqlite and postgres, 3 rounds of 10 s, 10-minute soak each
#   bash bench/web.sh --quick                1 round of 5 s, no soak (development)
#   bash bench/web.sh --before main          also Kastell built from another commit, in the same rounds (before/after)
#   bash bench/web.sh --hold --providers sqlite   start and seed, print the addresses, keep serving (for profiling)
#   bash bench/api.sh                        the API's file list with a token at 64 connections (issue 14, item 7)
#   options: --providers sqlite,postgres --rounds N --duration S --warmup S --connections N --threads N --soak S
#            --files N --audit-events N --endpoints health,sign-in,home,files,audit,create-space,api-files
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench_dir/.." && pwd)"
providers="sqlite,postgres"
rounds=3
duration=10
warmup=3
connections=16
threads=2
soak=600
before=""
files=100
audit_events=100000
hold=0
endpoint_list="health,sign-in,home,files,audit,create-space"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) rounds=1; duration=5; warmup=2; soak=0; shift ;;
    --providers) providers="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --soak) soak="$2"; shift 2 ;;
    --before) before="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --audit-events) audit_events="$2"; shift 2 ;;
    --hold) hold=1; shift ;;
    --endpoints) endpoint_list="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the head of bench/web.sh)" >&2; exit 2 ;;
  esac
done

as_root() { if [[ "$EUID" -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
install_missing() { # program, Debian package
  command -v "$1" >/dev/null 2>&1 && return
  as_root apt-get install -y "$2" >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y "$2" >/dev/null; }
}
install_missing wrk wrk
install_missing clamd clamav-daemon
install_missing openssl openssl
pg_bin="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
if [[ ",$providers," == *",postgres,"* && ! -x "$pg_bin/initdb" ]]; then
  install_missing psql postgresql
  pg_bin="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
fi

work="$(mktemp -d /tmp/kastell-web-bench.XXXXXX)"
pids=()
clusters=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for cluster in "${clusters[@]}"; do run_pg "$pg_bin/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$cluster"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
run_pg() { if [[ "$EUID" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

log "building (Release)"
dotnet build "$bench_dir/Kastell.Web.HelloWorld" -c Release --nologo -v quiet >/dev/null
dotnet build "$bench_dir/Kastell.Web.Benchmarks" -c Release --nologo -v quiet >/dev/null # and the server it references
hello_dir="$bench_dir/Kastell.Web.HelloWorld/bin/Release/net10.0"
tool="$bench_dir/Kastell.Web.Benchmarks/bin/Release/net10.0/Kastell.Web.Benchmarks.dll"
declare -A server_dll=([kastell]="$repo/src/Kastell.Server/bin/Release/net10.0/Kastell.Server.dll")
variants=(kastell)
if [[ -n "$before" ]]; then
  log "building Kastell at $before"
  mkdir -p "$work/before"
  git -C "$repo" archive "$before" | tar -x -C "$work/before"
  dotnet build "$work/before/src/Kastell.Server" -c Release --nologo -v quiet >/dev/null
  server_dll[before]="$work/before/src/Kastell.Server/bin/Release/net10.0/Kastell.Server.dll"
  variants=(before kastell)
fi

# One certificate for both servers (Kestrel's own configuration keys), so the TLS work is the same.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
openssl pkcs12 -export -in "$work/cert.pem" -inkey "$work/key.pem" -out "$work/cert.pfx" -passout pass:bench
tls=(--Kestrel:Certificates:Default:Path="$work/cert.pfx" --Kestrel:Certificates:Default:Password=bench)

# clamd with a signature database of the EICAR test file only: uploads are scanned for real, without freshclam.
mkdir -p "$work/clamd/db"
eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
printf '%s:%s:Kastell-Bench-EICAR\n' "$(printf '%s' "$eicar" | md5sum | cut -d' ' -f1)" "${#eicar}" > "$work/clamd/db/bench.hdb"
cat > "$work/clamd/clamd.conf" <<EOF
LocalSocket $work/clamd/clamd.sock
Foreground yes
DatabaseDirectory $work/clamd/db
TemporaryDirectory $work/clamd
LogFile $work/clamd/clamd.log
StreamMaxLength 200M
EOF
clamd -c "$work/clamd/clamd.conf" >/dev/null 2>&1 &
pids+=($!)

# An SMTP sink on loopback: a PostgreSQL deployment refuses to start without SMTP (sign-up sends a confirmation).
smtp_port="$(free_port)"
python3 -W ignore -m smtpd -n -c DebuggingServer "127.0.0.1:$smtp_port" >/dev/null 2>&1 &
pids+=($!)

wait_for() { # url
  for _ in $(seq 1 300); do
    curl -sk -o /dev/null -w '%{http_code}' "$1" 2>/dev/null | grep -q '^200$' && return 0
    sleep 0.2
  done
  echo "nothing answers $1" >&2; return 1
}

hello_port="$(free_port)"
(cd "$hello_dir" && exec dotnet Kastell.Web.HelloWorld.dll --urls="https://127.0.0.1:$hello_port" "${tls[@]}") >"$work/hello.log" 2>&1 &
pids+=($!)
wait_for "https://127.0.0.1:$hello_port/"
for _ in $(seq 1 100); do [[ -S "$work/clamd/clamd.sock" ]] && break; sleep 0.2; done

results="$work/results.tsv"
: > "$results"
declare -A kastell_pid kastell_port

# Starts one Kastell (variant, provider) with its own data directory (and database), as a deployment would run it:
# the server binary from a working directory of its own (so no appsettings.json: the defaults in code apply).
start_kastell() {
  local variant="$1" provider="$2" key="$1-$2" data="$work/$1-$2" port
  port="$(free_port)"
  mkdir -p -m 700 "$data" # the server refuses a data directory others can read
  # The API's rate limits (600 a minute per token by default) stay switched on, raised out of wrk's way: their cost
  # is measured, their 429s are not.
  local settings=("${tls[@]}" --Kastell:DataDirectory="$data" --Kastell:Storage:Clamd="unix:$work/clamd/clamd.sock"
    --Kastell:Api:RequestsPerMinutePerToken=1000000 --Kastell:Api:RequestsPerMinutePerOrganization=10000000)
  if [[ "$provider" == "postgres" ]]; then
    local role="kastell_${variant}"
    psql_admin -c "CREATE ROLE $role LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'bench'" -c "CREATE DATABASE $role OWNER $role"
    settings+=(--Kastell:Database:Provider=Postgres
      --Kastell:Database:ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=$role;Username=$role;Password=bench"
      --Kastell:Email:SmtpHost=127.0.0.1 --Kastell:Email:SmtpPort="$smtp_port" --Kastell:Email:AllowInsecureLoopbackSmtp=true
      --Kastell:Email:PublicBaseUrl=https://localhost)
    (cd "$data" && dotnet "${server_dll[$variant]}" migrate "${settings[@]}") >"$data.migrate.log" 2>&1
  fi
  (cd "$data" && exec dotnet "${server_dll[$variant]}" --urls="https://127.0.0.1:$port" "${settings[@]}") >"$data.log" 2>&1 &
  pids+=($!)
  kastell_pid[$key]=$!
  kastell_port[$key]=$port
  wait_for "https://127.0.0.1:$port/health/live"
  log "seeding $key ($files files, $audit_events audit events)"
  local connection=""
  [[ "$provider" == "postgres" ]] && connection="Host=127.0.0.1;Port=$pg_port;Database=$role;Username=$role;Password=bench"
  dotnet "$tool" seed --url "https://127.0.0.1:$port" --data-dir "$data" --provider "${provider^}" \
    ${connection:+--connection "$connection"} --files "$files" --audit-events "$audit_events" --out "$data.env" >&2
}

# The requests: name, method, path, whether signed in (a cookie, or for the API a token), the status every answer must have.
IFS=, read -r -a endpoints <<<"$endpoint_list"
# Sets BENCH_* for one endpoint of one server; url_base is the server's address.
request_for() { # endpoint server-key url_base -> sets url, BENCH_METHOD, BENCH_COOKIE, BENCH_BODY, BENCH_EXPECT
  local endpoint="$1" key="$2" base="$3"
  export BENCH_METHOD=GET BENCH_COOKIE="" BENCH_AUTH="" BENCH_BODY="" BENCH_EXPECT=200
  if [[ "$key" == bare ]]; then
    url="$base/"
    if [[ "$endpoint" == create-space ]]; then
      url="$base/form"; BENCH_METHOD=POST BENCH_EXPECT=302
      BENCH_BODY="_handler=create-space&__RequestVerificationToken=$form_token&Input.Name=Load+{n}"
      BENCH_COOKIE="$cookie"
    fi
    return
  fi
  # shellcheck disable=SC1090
  source "$work/$key.env"
  case "$endpoint" in
    health) url="$base/health/live" ;;
    sign-in) url="$base/account/sign-in" ;;
    home) url="$base/"; BENCH_COOKIE="$KASTELL_COOKIE" ;;
    files) url="$base/o/$KASTELL_ORG/s/$KASTELL_SPACE/files"; BENCH_COOKIE="$KASTELL_COOKIE" ;;
    audit) url="$base/o/$KASTELL_ORG/audit"; BENCH_COOKIE="$KASTELL_COOKIE" ;;
    api-files) url="$base/api/v1/o/$KASTELL_ORG/s/$KASTELL_SPACE/files?limit=100"; BENCH_AUTH="$KASTELL_TOKEN" ;;
    create-space)
      url="$base/o/$KASTELL_ORG"; BENCH_METHOD=POST BENCH_EXPECT=302 BENCH_COOKIE="$KASTELL_COOKIE"
      BENCH_BODY="_handler=create-space&__RequestVerificationToken=$KASTELL_FORM_TOKEN&Input.Name=Load+{n}" ;;
  esac
}

run_wrk() { # seconds checked(0|1) -> one JSON line
  local seconds="$1" checked="$2"
  export BENCH_RUN="r$RANDOM$RANDOM"
  if [[ "$checked" == 0 ]]; then unset BENCH_EXPECT; fi
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s -s "$bench_dir/web/wrk.lua" "$url" | tail -n 1
}

measure() { # provider round endpoint key label checked seconds
  local provider="$1" round="$2" endpoint="$3" key="$4" label="$5" checked="$6" seconds="$7" base json
  if [[ "$key" == bare ]]; then base="https://127.0.0.1:$hello_port"; else base="https://127.0.0.1:${kastell_port[$key]}"; fi
  request_for "$endpoint" "$key" "$base"
  json="$(run_wrk "$seconds" "$checked")"
  if [[ "$checked" == 1 ]]; then
    local errors; errors="$(sed -E 's/.*"errors":([0-9]+).*/\1/' <<<"$json")"
      local requests; requests="$(sed -E 's/.*"requests":([0-9]+).*/\1/' <<<"$json")"
    local verdict="ok"
    [[ "$errors" != 0 ]] && verdict="$errors wrong answers under load"
    [[ "$requests" == 0 ]] && verdict="no answer within the warm-up"
    printf 'check\t%s\t%s\t%s\t%s\n' "$provider" "$endpoint" "$label" "$verdict" >> "$results"
  else
    printf 'run\t%s\t%s\t%s\t%s\t%s\n' "$provider" "$endpoint" "$label" "$round" "$json" >> "$results"
  fi
  log "$provider $endpoint $label $([[ "$checked" == 1 ]] && echo check || echo "round $round"): $json"
}

soak_files=()
for provider in ${providers//,/ }; do
  if [[ "$provider" == "postgres" ]]; then
    cluster="$(mktemp -d /tmp/kastell-web-bench-pg.XXXXXX)" # outside $work, which only its owner may enter
    [[ "$EUID" -eq 0 ]] && chown postgres "$cluster"
    pg_port="$(free_port)"
    run_pg "$pg_bin/initdb" -D "$cluster/data" -A trust -U postgres >/dev/null
    run_pg "$pg_bin/pg_ctl" -D "$cluster/data" -w -l "$cluster/log" -o "-p $pg_port -k $cluster -c listen_addresses=127.0.0.1" start >/dev/null
    clusters+=("$cluster")
    psql_admin() { run_pg psql -h "$cluster" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
  fi

  for variant in "${variants[@]}"; do start_kastell "$variant" "$provider"; done
  # The bare server's form post gets the body (and cookie) of the last variant's, so both read the same bytes.
  # shellcheck disable=SC1090
  source "$work/kastell-$provider.env"
  cookie="$KASTELL_COOKIE" form_token="$KASTELL_FORM_TOKEN"
  if [[ "$hold" == 1 ]]; then
    for variant in "${variants[@]}"; do
      log "$variant-$provider: https://127.0.0.1:${kastell_port[$variant-$provider]} pid ${kastell_pid[$variant-$provider]}, log $work/$variant-$provider.log, seed $work/$variant-$provider.env"
    done
    log "bare: https://127.0.0.1:$hello_port; holding until interrupted"
    sleep infinity & wait $!
  fi

  # Warm-up, checked: every answer must have the expected status (a signed-in page that redirected to sign-in would
  # be fast and wrong). Then the timed rounds, each endpoint on the bare server and on every Kastell back to back.
  for endpoint in "${endpoints[@]}"; do
    measure "$provider" 0 "$endpoint" bare bare 1 "$warmup"
    for variant in "${variants[@]}"; do measure "$provider" 0 "$endpoint" "$variant-$provider" "$variant" 1 "$warmup"; done
  done
  for round in $(seq 1 "$rounds"); do
    for endpoint in "${endpoints[@]}"; do
      measure "$provider" "$round" "$endpoint" bare bare 0 "$duration"
      for variant in "${variants[@]}"; do measure "$provider" "$round" "$endpoint" "$variant-$provider" "$variant" 0 "$duration"; done
    done
  done

  if [[ "$soak" -gt 0 ]]; then
    # The memory goal: the mix for $soak seconds against the current build, its resident set sampled every 10 s.
    key="kastell-$provider" soak_file="$work/soak-$provider.tsv"
    source "$work/$key.env"
    base="https://127.0.0.1:${kastell_port[$key]}"
    printf 'label\t%s\n' "$provider" > "$soak_file"
    (
      export BENCH_COOKIE="$KASTELL_COOKIE" BENCH_RUN="soak$RANDOM"
      export BENCH_BODY="_handler=create-space&__RequestVerificationToken=$KASTELL_FORM_TOKEN&Input.Name=Soak+{n}"
      export BENCH_MIX="GET /health/live;GET /account/sign-in;GET /;GET /o/$KASTELL_ORG/s/$KASTELL_SPACE/files;GET /o/$KASTELL_ORG/audit;POST /o/$KASTELL_ORG"
      printf 'wrk\t%s\n' "$(wrk -t"$threads" -c"$connections" -d"${soak}s" --timeout 10s -s "$bench_dir/web/wrk.lua" "$base" | tail -n 1)" >> "$soak_file"
    ) &
    soak_wrk=$!
    start=$SECONDS
    while kill -0 "$soak_wrk" 2>/dev/null; do
      printf 'rss\t%s\t%s\n' "$((SECONDS - start))" "$(awk '/^VmRSS/ {print $2}' "/proc/${kastell_pid[$key]}/status")" >> "$soak_file"
      sleep 10
    done
    wait "$soak_wrk"
    log "soak $provider: $(tail -n 1 "$soak_file")"
    soak_files+=(--soak "$soak_file")
  fi

  for variant in "${variants[@]}"; do
    kill "${kastell_pid[$variant-$provider]}" 2>/dev/null || true
    wait "${kastell_pid[$variant-$provider]}" 2>/dev/null || true
  done
done

mkdir -p "$bench_dir/results"
cp "$results" "$bench_dir/results/web-runs.tsv"
{
  echo "Kastell web benchmark, $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, wrk -t$threads -c$connections, $rounds × ${duration} s per request and server (median), HTTPS"
  echo "commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo '+changes')${before:+, before = $before ($(git -C "$repo" rev-parse --short "$before"))}"
  echo
} > "$bench_dir/results/web.md"
dotnet "$tool" report --results "$results" --out "$work/table.md" "${soak_files[@]}" >/dev/null
cat "$work/table.md" >> "$bench_dir/results/web.md"
cat "$bench_dir/results/web.md"
