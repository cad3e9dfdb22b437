#!/usr/bin/env bash
# Runs the whole test suite from a fresh Debian 12 machine: installs what the tests need (skipping what is there),
# builds the solution once, runs every test project under tests/ (two at a time on two cores), and ends with the
# line "N passed, M failed, K skipped". Exit status is non-zero when a test failed or errored, or no test ran.
#
# Logs and reports (xUnit XML and CTRF JSON per project) go to .artifacts/test-results/.
# Coverage is collected by default: the test executables run on Microsoft Testing Platform with coverlet, Cobertura
# XML per project goes to .artifacts/coverage/, and a line-coverage summary (per assembly and for the encryption,
# audit and tenancy code) is printed at the end and written to .artifacts/coverage/summary.txt. Measured on the CI
# machine kind: 694 s with coverage against 680 s without for the whole script (about 2 %).
# Environment:
#   KASTELL_TEST_PARALLEL       test projects run at once (default: number of cores)
#   KASTELL_TEST_SUITE_TIMEOUT  limit per test project, as for timeout(1) (default: 40m)
#   KASTELL_TEST_POSTGRES       run PostgreSQL tests against this server instead of a throwaway cluster
#   KASTELL_TEST_COVERAGE=0     no coverage: xUnit's own runner mode, no .artifacts/coverage/
#   CI=true                     NuGet restore refuses to change packages.lock.json
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly CONFIGURATION=Release
readonly RESULTS_DIR="$REPO_ROOT/.artifacts/test-results"
readonly SETUP_LOG="$RESULTS_DIR/setup.log"
readonly BUILD_LOG="$RESULTS_DIR/build.log"
readonly PARALLEL="${KASTELL_TEST_PARALLEL:-$(nproc)}"
readonly SUITE_TIMEOUT="${KASTELL_TEST_SUITE_TIMEOUT:-40m}"
readonly COVERAGE="${KASTELL_TEST_COVERAGE:-1}"
readonly COVERAGE_DIR="$REPO_ROOT/.artifacts/coverage"
# Debian packages the tests use, and the file that shows each is installed.
readonly POSTGRES_PROGRAMS_GLOB='/usr/lib/postgresql/*/bin/initdb'
readonly CHROMIUM_BINARY=/usr/bin/chromium
readonly SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

apt_updated=false

say() { printf '[test] %s\n' "$*"; }

die() {
    printf '[test] ERROR: %s\n' "$*" >&2
    exit 2
}

# Runs a command as root: directly when we are root (CI), through sudo otherwise.
as_root() {
    if [[ "$EUID" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root to run: $* (run as root or install sudo)"
    fi
}

apt_install() {
    local apt_options=(-qq -o DPkg::Lock::Timeout=600)
    if [[ "$apt_updated" != true ]]; then
        as_root apt-get "${apt_options[@]}" update >>"$SETUP_LOG" 2>&1 || die "apt-get update failed; see $SETUP_LOG"
        apt_updated=true
    fi
    say "installing Debian packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y --no-install-recommends "$@" \
        >>"$SETUP_LOG" 2>&1 || die "apt-get install $* failed; see $SETUP_LOG"
}

ensure_postgres() {
    if compgen -G "$POSTGRES_PROGRAMS_GLOB" >/dev/null && id postgres >/dev/null 2>&1; then
        return
    fi
    apt_install postgresql
    compgen -G "$POSTGRES_PROGRAMS_GLOB" >/dev/null || die "postgresql installed but no $POSTGRES_PROGRAMS_GLOB"
}

# The SAML test identity provider (tests/saml-idp) makes its keys with the openssl program at start.
ensure_openssl() {
    if command -v openssl >/dev/null 2>&1; then
        return
    fi
    apt_install openssl
}

ensure_chromium() {
    if [[ -x "$CHROMIUM_BINARY" ]]; then
        return
    fi
    # Recommends would pull in desktop services; fonts are the one recommendation pages need to render text.
    apt_install chromium fonts-liberation
}

# The SIEM tests run their own rsyslogd (own configuration, port and files) with the GnuTLS stream driver. Debian's
# package does not start a system service where none can run (containers); the tests never use one anyway.
ensure_rsyslog() {
    if [[ -x /usr/sbin/rsyslogd ]] && compgen -G "/usr/lib/*/rsyslog/lmnsd_gtls.so" >/dev/null; then
        return
    fi
    apt_install rsyslog rsyslog-gnutls
}

# SoftHSM2: the PKCS#11 token the key-provider tests run against.
ensure_softhsm() {
    if [[ -f "$SOFTHSM_MODULE" ]] && command -v softhsm2-util >/dev/null 2>&1; then
        return
    fi
    apt_install softhsm2
}

# clamd: the malware scanner the upload tests start with their own config and a one-line EICAR signature database
# (no freshclam: its servers are out of reach, and the tests need no real signatures).
ensure_clamd() {
    if [[ -x /usr/sbin/clamd ]]; then
        return
    fi
    apt_install clamav-daemon
}

# dnsmasq: the DNS server the verified-domain tests start on a loopback port with their own TXT records. The
# dnsmasq-base package is the program alone; the dnsmasq package would start a system resolver on port 53.
ensure_dnsmasq() {
    if [[ -x /usr/sbin/dnsmasq ]]; then
        return
    fi
    apt_install dnsmasq-base
}

ensure_node() {
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        return
    fi
    apt_install nodejs npm
}

# npm ci for every test folder with a package-lock.json, skipped when that lock file is already installed.
ensure_npm_packages() {
    local lock_file folder stamp wanted
    while IFS= read -r lock_file; do
        folder="$(dirname "$lock_file")"
        stamp="$folder/node_modules/.installed-package-lock.sha256"
        wanted="$(sha256sum "$lock_file" | cut -d ' ' -f 1)"
        if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
            continue
        fi
        say "npm ci in ${folder#"$REPO_ROOT"/}"
        (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error) >>"$SETUP_LOG" 2>&1 \
            || die "npm ci in $folder failed; see $SETUP_LOG"
        printf '%s\n' "$wanted" >"$stamp"
    done < <(find "$REPO_ROOT/tests" -maxdepth 2 -name package-lock.json -not -path '*/node_modules/*' | sort)
}

build_solution() {
    command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
    # No build servers: they would outlive this script, and on a shared machine they are not ours to stop.
    local arguments=(build "$REPO_ROOT/Kastell.slnx" -c "$CONFIGURATION" -nologo -v:minimal --disable-build-servers)
    if [[ "${CI:-}" == true ]]; then
        arguments+=(-p:RestoreLockedMode=true)
    fi
    if [[ "$COVERAGE" == 1 ]]; then
        # coverlet.MTP is an extension of Microsoft Testing Platform: the executables take its command line then.
        arguments+=(-p:UseMicrosoftTestingPlatformRunner=true)
    fi
    say "building Kastell.slnx ($CONFIGURATION)"
    if ! dotnet "${arguments[@]}" >"$BUILD_LOG" 2>&1; then
        grep -E ': (error|warning) ' "$BUILD_LOG" | sort -u | head -40 >&2 || tail -40 "$BUILD_LOG" >&2
        die "build failed; full log: $BUILD_LOG"
    fi
}

# Test projects are tests/*/*.csproj, except ones that declare themselves libraries (shared test helpers).
discover_test_projects() {
    local project
    for project in "$REPO_ROOT"/tests/*/*.csproj; do
        [[ -e "$project" ]] || continue
        if grep -qiE '<IsTestProject>[[:space:]]*false|<OutputType>[[:space:]]*Library' "$project"; then
            continue
        fi
        basename "$project" .csproj
    done
}

# Runs one test project's executable; never fails itself, the outcome is in RESULTS_DIR/NAME.exit and the reports.
run_suite() {
    local name="$1" executable runner exit_code=0 started="$SECONDS"
    executable="$(compgen -G "$REPO_ROOT/tests/$name/bin/$CONFIGURATION/*/$name" | sort | tail -n 1 || true)"
    if [[ -z "$executable" ]]; then
        printf 'Test project %s was not built: is it in Kastell.slnx?\n' "$name" >"$RESULTS_DIR/$name.log"
        printf '%s\n' 127 >"$RESULTS_DIR/$name.exit"
        say "$name: not built"
        return 0
    fi
    local arguments=(-noLogo -noColor -result-ctrf "$RESULTS_DIR/$name.ctrf.json" -result-xml "$RESULTS_DIR/$name.xml")
    if [[ "$COVERAGE" == 1 ]]; then
        # The same reports through the platform's options, plus Cobertura for the application's own assemblies.
        arguments=(--no-ansi --no-progress --results-directory "$RESULTS_DIR/$name.mtp"
            --report-xunit-ctrf --report-xunit-ctrf-filename "$name.ctrf.json"
            --report-xunit-xml --report-xunit-xml-filename "$name.xml"
            --coverlet --coverlet-output-format cobertura --coverlet-file-prefix "$name"
            --coverlet-include '[Kastell.Server]*' --coverlet-include '[Kastell.Authorization]*' --coverlet-include '[Kastell.Saml]*')
    fi
    (cd "$REPO_ROOT" && exec timeout --kill-after=30s "$SUITE_TIMEOUT" "$executable" "${arguments[@]}") \
        </dev/null >"$RESULTS_DIR/$name.log" 2>&1 &
    runner=$!
    # Remembered so an interrupted run can stop exactly the test processes it started.
    printf '%s\n' "$runner" >"$RESULTS_DIR/$name.pid"
    wait "$runner" || exit_code=$?
    rm -f "$RESULTS_DIR/$name.pid"
    if [[ "$COVERAGE" == 1 ]]; then
        collect_coverage "$name"
    fi
    printf '%s\n' "$exit_code" >"$RESULTS_DIR/$name.exit"
    say "$name: exit $exit_code after $((SECONDS - started))s"
}

# Moves a suite's reports out of its platform results directory: the xUnit ones next to the logs, Cobertura to
# COVERAGE_DIR as NAME.cobertura.xml.
collect_coverage() {
    local name="$1" mtp="$RESULTS_DIR/$1.mtp" report
    [[ -d "$mtp" ]] || return 0
    for report in "$name.ctrf.json" "$name.xml"; do
        [[ -f "$mtp/$report" ]] && mv "$mtp/$report" "$RESULTS_DIR/$report"
    done
    while IFS= read -r report; do
        mv "$report" "$COVERAGE_DIR/$name.cobertura.xml"
    done < <(find "$mtp" -name '*cobertura*.xml' | head -n 1)
}

run_all_suites() {
    local name
    for name in "$@"; do
        while [[ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]]; do
            wait -n || true
        done
        say "$name: started"
        run_suite "$name" &
    done
    wait
}

# On Ctrl-C or TERM: timeout(1) passes TERM on to its test process, which then disposes its fixtures.
stop_running_suites() {
    local pid_file
    for pid_file in "$RESULTS_DIR"/*.pid; do
        [[ -e "$pid_file" ]] || continue
        kill -TERM "$(cat "$pid_file")" 2>/dev/null || true
    done
    wait || true
    say "interrupted"
    exit 130
}

main() {
    local started="$SECONDS" suites=()
    rm -rf "$RESULTS_DIR" "$COVERAGE_DIR"
    mkdir -p "$RESULTS_DIR"
    if [[ "$COVERAGE" == 1 ]]; then
        mkdir -p "$COVERAGE_DIR"
    fi

    ensure_postgres
    ensure_openssl
    ensure_chromium
    ensure_rsyslog
    ensure_softhsm
    ensure_clamd
    ensure_dnsmasq
    ensure_node
    ensure_npm_packages
    build_solution

    mapfile -t suites < <(discover_test_projects)
    [[ "${#suites[@]}" -gt 0 ]] || die "no test projects under tests/"
    trap stop_running_suites INT TERM
    run_all_suites "${suites[@]}"
    trap - INT TERM

    say "finished in $((SECONDS - started))s; logs and reports in ${RESULTS_DIR#"$REPO_ROOT"/}/"
    if [[ "$COVERAGE" == 1 ]]; then
        node "$REPO_ROOT/scripts/summarize-coverage.mjs" "$COVERAGE_DIR" || say "coverage summary failed"
    fi
    # The summary prints the failures and the closing count line, and sets the exit status.
    exec node "$REPO_ROOT/scripts/summarize-test-results.mjs" "$RESULTS_DIR" "${suites[@]}"
}

main "$@"
