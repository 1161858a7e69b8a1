#!/usr/bin/env bash
# End-to-end import benchmark: the 1M-row messy file of ../shared/bench
# uploaded to a running `intake serve`, on SQLite and on PostgreSQL, with
# the physical door (PostgreSQL COPY into a table with a unique index, as in
# ../shared/bench/LIMITS.md case b) measured in the same run.
#
# usage: bench/run.sh [ROWS]        (default 1000000)
# needs: go, python3, psql, curl; PostgreSQL at $BENCH_PG (default the CI one)
set -euo pipefail
rows=${1:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out="$here/out"
mkdir -p "$out"
pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
pgbase=${pg%%/test*}
file="$out/contacts-$rows.csv"
[ -f "$file" ] || python3 "$top/../shared/bench/gen_contacts.py" "$rows" --messy > "$file"
(cd "$top" && go build -o "$out/intake" ./cmd/intake)

# Independent count of what a correct import must report (use_last policy).
read -r distinct invalid dups < <(python3 - "$file" <<'PY'
import csv, sys
seen=set(); inv=0; val=0
with open(sys.argv[1], newline='') as f:
    r=csv.reader(f); next(r)
    for row in r:
        e=row[0].strip().lower()
        if '@' not in e: inv+=1
        else: val+=1; seen.add(e)
print(len(seen), inv, val-len(seen))
PY
)
echo "file: $rows rows; expect created=$distinct failed=$invalid skipped=$dups"

run() { # name database-url port
  local name=$1 db=$2 port=$3 dir="$out/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && { INTAKE_DATABASE_URL="$db" "$out/intake" serve --addr "127.0.0.1:$port" >serve.log 2>&1 & echo $! >"$dir/pid"; })
  sleep 2
  local pid key t0 t1 status
  pid=$(cat "$dir/pid")
  key=$(cd "$dir" && INTAKE_DATABASE_URL="$db" "$out/intake" keys create --tenant bench --scopes contacts)
  t0=$(date +%s.%N)
  id=$(curl -sf -F "file=@$file" -H "Authorization: Bearer $key" "localhost:$port/api/v1/imports" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    status=$(curl -sf -H "Authorization: Bearer $key" "localhost:$port/api/v1/imports/$id" |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["created"], d["failed_rows"], d["skipped"])')
    case $status in completed*|failed*|cancelled*) break;; esac
    sleep 1
  done
  t1=$(date +%s.%N)
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"
  local secs
  secs=$(echo "$t1 - $t0" | bc)
  echo "$name: $status in ${secs}s = $(echo "$rows / $secs" | bc) rows/s, peak RSS $((hwm / 1024)) MiB"
  [ "$status" = "completed $distinct $invalid $dups" ] || { echo "$name: COUNTS WRONG" >&2; exit 1; }
}

run sqlite "sqlite:$out/sqlite/intake.db" 18090
psql "$pg" -qc "DROP DATABASE IF EXISTS intake_bench" -c "CREATE DATABASE intake_bench"
run postgres "$pgbase/intake_bench?sslmode=disable" 18091

# The door, as LIMITS.md case b: COPY of the clean file of the same size
# (the messy one has in-file duplicates a unique index refuses) into a table
# with the unique (tenant_id, lower(email)) index.
clean="$out/contacts-$rows-clean.csv"
[ -f "$clean" ] || python3 "$top/../shared/bench/gen_contacts.py" "$rows" > "$clean"
file=$clean
psql "$pgbase/intake_bench?sslmode=disable" -q <<SQL
CREATE TABLE door (tenant_id bigint NOT NULL DEFAULT 1, email text, first_name text, last_name text, phone text,
  company text, city text, country text, customer_number text, tags text, signup_date text);
CREATE UNIQUE INDEX ON door (tenant_id, lower(email));
SQL
t0=$(date +%s.%N)
psql "$pgbase/intake_bench?sslmode=disable" -qc "\\copy door (email, first_name, last_name, phone, company, city, country, customer_number, tags, signup_date) FROM '$file' CSV HEADER"
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "door (PG COPY, unique index): ${secs}s = $(echo "$rows / $secs" | bc) rows/s"
