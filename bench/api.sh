#!/usr/bin/env bash
# The cost of the HTTP API (issue 14, item 7): an authenticated (personal access token), authorized and audited
# `GET /api/v1/o/{org}/s/{space}/files?limit=100` on a Space with 100 files, against the bare Kestrel hello-world in
# the same run, wrk at 64 connections, rounds interleaved, on SQLite and PostgreSQL. It is bench/web.sh with one
# request: the same seeding (the seed also creates the token through the token page, with password and a fresh TOTP
# code), the same servers, certificate, wrk script and report. Goal: ≥ 25 % of the bare server's requests/s, p99 ≤ 50 ms,
# no error (every answer of the checked warm-up must be 200; any non-2xx in a timed round counts as an error).
#
#   bash bench/api.sh                                 sqlite and postgres, 3 rounds of 10 s
#   bash bench/api.sh --rounds 2 --duration 5         shorter (any option of bench/web.sh passes through)
set -euo pipefail
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$bench_dir/web.sh" --endpoints api-files --connections 64 --soak 0 --files 100 --audit-events 1000 "$@"
