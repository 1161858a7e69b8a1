#!/usr/bin/env bash
# What each secondary index of Intake's contacts table costs PostgreSQL's
# COPY (issue 23, schema): the clean sample file of ROWS rows, shaped as
# Intake stores it, copied into the contacts table of a database the binary
# migrated, with every index, without each one in turn, and with the
# primary key and email only; twice, interleaved, so drift shows.
#
# usage: bench/indexcost.sh [ROWS]     (default 1000000)
# env:   INTAKE_BIN (default: build ./cmd/intake), BENCH_PG (the server)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
out=$(pwd)/bench/out
mkdir -p "$out"
bin=${INTAKE_BIN:-}
if [ -z "$bin" ]; then go build -o "$out/intake" ./cmd/intake; bin=$out/intake; fi
db=intake_indexcost_$$
dsn=${pg%%\?*}; dsn="${dsn%/*}/$db?sslmode=disable"
psql "$pg" -qc "CREATE DATABASE $db"
trap 'psql "$pg" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
clean="$out/sample-$rows.csv"
[ -f "$clean" ] || "$bin" sample "$rows" > "$clean"
"$bin" migrate --database-url "$dsn" >/dev/null
shaped="$out/contacts-shaped-$rows.csv"
psql "$dsn" -q <<SQL
CREATE UNLOGGED TABLE stage (email text, first_name text, last_name text, phone text, company text, city text,
  country text, customer_number text, tags text, signup_date text);
\copy stage FROM '$clean' CSV HEADER
INSERT INTO tenants (slug, created_at) VALUES ('indexcost', now());
\copy (SELECT (SELECT id FROM tenants WHERE slug = 'indexcost'), lower(email), first_name, last_name, first_name || ' ' || last_name, phone, company, city, country, customer_number, to_jsonb(string_to_array(tags, ',')), now(), now() FROM stage) TO '$shaped' CSV
DROP TABLE stage;
SQL
echo "indexes on contacts:"; psql "$dsn" -Atc "SELECT '  ' || indexdef FROM pg_indexes WHERE tablename = 'contacts' ORDER BY indexname"
# An index's definition, to drop it and make it again as the migrations did.
def() { psql "$dsn" -Atc "SELECT indexdef FROM pg_indexes WHERE tablename = 'contacts' AND indexname = '$1'"; }
con() { psql "$dsn" -Atc "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '$1'"; }
cols="tenant_id, email, first_name, last_name, name, phone, company, city, country, customer_number, tags, created_at, updated_at"
run() { # label, index or constraint names to leave out...
  local label=$1; shift; local undo=()
  psql "$dsn" -qc "TRUNCATE contacts CASCADE"
  for i in "$@"; do
    if c=$(con "$i") && [ -n "$c" ]; then undo+=("ALTER TABLE contacts ADD CONSTRAINT $i $c"); psql "$dsn" -qc "ALTER TABLE contacts DROP CONSTRAINT $i"
    else undo+=("$(def "$i")"); psql "$dsn" -qc "DROP INDEX $i"; fi
  done
  psql "$dsn" -qc "CHECKPOINT"
  local t0 t1; t0=$(date +%s.%N)
  psql "$dsn" -qc "\\copy contacts ($cols) FROM '$shaped' CSV"
  t1=$(date +%s.%N)
  for u in "${undo[@]}"; do psql "$dsn" -qc "$u"; done
  printf "| %s | %.2f | %.0f |\n" "$label" "$(echo "$t1 - $t0" | bc)" "$(echo "$rows / ($t1 - $t0)" | bc)"
}
secondary=$(psql "$dsn" -Atc "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts' AND indexname NOT IN ('contacts_pkey', 'contacts_tenant_email') ORDER BY indexname")
echo "| COPY of $rows rows into contacts | s | rows/s |"
echo "|---|---:|---:|"
for rep in 1 2; do
  run "every index (run $rep)"
  for i in $secondary; do run "without $i" "$i"; done
  # shellcheck disable=SC2086
  run "primary key and email only" $secondary
done
