#!/usr/bin/env bash
# One run of the benchmark harness (bench/harness): the parse floor, the
# PostgreSQL and SQLite doors, the schema door, Intake's create / unchanged /
# all-changed imports on both stores through HTTP, the sync call's p50/p99,
# peak RSS; one table on stdout and in bench/RESULTS.md. Fails when any
# count differs from the independent count.
#
# usage: bench/run.sh [ROWS]                 (default 1000000)
#        INTAKE_BIN=/path/to/intake bench/run.sh ROWS   (measure another binary, e.g. a baseline)
# env:   BENCH_PG (PostgreSQL server; default the CI one), BENCH_RESULTS (default bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
go build -o bench/out/harness ./bench/harness
exec bench/out/harness -rows "$rows" -results "${BENCH_RESULTS-bench/RESULTS.md}" "${@:2}"
