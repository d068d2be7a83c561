#!/usr/bin/env bash
# The long schemathesis run against a running server (README: "API 模糊测试 / Fuzzing the API").
#
#   make run                      # in another terminal: demo data on http://127.0.0.1:8000
#   scripts/fuzz.sh               # as `commission`, 100 cases per operation, every phase
#   FUZZ_USER=liaison3 FUZZ_EXAMPLES=300 scripts/fuzz.sh http://127.0.0.1:8000 --max-time 1800
#
# 1. Gets an API token for a demo user (POST /api/token/, demo password Demo@2026!).
# 2. Reads the ids that user can see from the API's own lists (GET /api/<collection>/), so that generated paths
#    (/api/letters/{id}/issue/) and id fields of bodies (station, finding, unit, ...) hit real rows half of the time
#    instead of 404-ing; written to $REPORT_DIR/schemathesis.toml as dictionaries.
# 3. Runs `schemathesis run` over every operation of /api/schema/ (examples, coverage, fuzzing and stateful
#    phases; valid and invalid data) with the check not_a_server_error: the run fails on any 5xx.
# Extra arguments after the base URL go to `schemathesis run` (e.g. `--checks all`, `--max-time 600`).
# The token endpoint itself is left out: every fuzzed login is a failed login that django-axes records, and five for
# one name from one address lock it; tests/api/test_schema_fuzz.py fuzzes it on a test database instead.
# Writes are real (sheets, letters, items change): run it against demo data, never against a database you need.
set -euo pipefail

cd "$(dirname "$0")/.."
BASE="${1:-http://127.0.0.1:8000}"
shift || true
export BASE
export FUZZ_USER="${FUZZ_USER:-commission}"
export FUZZ_PASSWORD="${FUZZ_PASSWORD:-Demo@2026!}"
EXAMPLES="${FUZZ_EXAMPLES:-100}"
SEED="${FUZZ_SEED:-2026}"
export REPORT_DIR="${FUZZ_REPORT_DIR:-var/fuzz-report}"
mkdir -p "$REPORT_DIR"

TOKEN="$(.venv/bin/python - <<'PY'
import json, os, sys, urllib.error, urllib.request

base, report = os.environ["BASE"].rstrip("/"), os.environ["REPORT_DIR"]


def call(path, token=None, data=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(base + path, data=data and json.dumps(data).encode(), headers=headers,
                                     method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


try:
    token = call("/api/token/", data={"username": os.environ["FUZZ_USER"], "password": os.environ["FUZZ_PASSWORD"]})
except urllib.error.HTTPError as error:
    sys.exit(f"POST {base}/api/token/ as {os.environ['FUZZ_USER']}: HTTP {error.code} {error.read()[:300]!r}")
token = token["token"]

# Ids the user can see, per collection (the first path segment after /api/), from the collection's list.
schema = call("/api/schema/?format=json", token)
ids = {}
for path, operations in schema["paths"].items():
    parts = path.strip("/").split("/")
    if len(parts) != 2 or "get" not in operations:
        continue
    try:
        page = call(f"{path}?page_size=50", token)
    except urllib.error.HTTPError:
        continue
    rows = page["results"] if isinstance(page, dict) else page
    found = [row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)]
    if found:
        ids[parts[1]] = found
    members = [m["id"] for row in rows if isinstance(row, dict) for m in row.get("members") or []
               if isinstance(m, dict) and isinstance(m.get("id"), int)]
    if members:
        ids["members"] = members
# Id fields of request bodies -> the collection their ids come from.
body_ids = {"station": "stations", "round": "rounds", "lead": "leads", "finding": "findings", "person": "people",
            "unit": "units", "responsible_unit": "units", "subject_unit": "units", "person_unit": "units",
            "home_unit": "units", "parent": "units", "covered_by": "units", "organ": "units", "recipient": "units",
            "organiser": "units", "station_check": "checks"}

# The crash cache (for `schemathesis replay`) in the report directory; no Hypothesis example database, so the same
# seed gives the same run.
lines = [f"[cache]\ndirectory = '{report}/cache'\n", "[generation]\ndatabase = 'none'\n", "[dictionaries]"]
lines += [f"{name} = {{ values = {values} }}" for name, values in sorted(ids.items())]
lines += ["", "[parameters]"]
lines += [f'"body.{field}" = {{ dictionary = "{name}", probability = 0.5 }}'
          for field, name in sorted(body_ids.items()) if name in ids]
# Path ids: an id typed as a string in the schema (a router without the int converter) gets the ids as strings.
text_ids = {path.strip("/").split("/")[1] for path, operations in schema["paths"].items()
            for operation in operations.values() if isinstance(operation, dict)
            for parameter in operation.get("parameters", [])
            if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "string"}
for name in sorted(text_ids & set(ids)):
    lines.insert(lines.index("[parameters]") - 1, f'{name}-text = {{ values = {[str(pk) for pk in ids[name]]} }}')
for name in sorted(ids):
    dictionary = f"{name}-text" if name in text_ids else name
    lines += ["", "[[operations]]", f"include-path-regex = '^/api/{name}/\\{{id\\}}/'",
              f'parameters = {{ "path.id" = {{ dictionary = "{dictionary}", probability = 0.5 }} }}']
with open(f"{report}/schemathesis.toml", "w") as config:
    config.write("\n".join(lines) + "\n")
print(f"ids of {len(ids)} collections: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(ids.items())),
      file=sys.stderr)
print(token)
PY
)"

echo "fuzzing $BASE/api/schema/ as $FUZZ_USER, $EXAMPLES cases per operation (seed $SEED); report in $REPORT_DIR"
exec .venv/bin/schemathesis --config-file "$REPORT_DIR/schemathesis.toml" run "$BASE/api/schema/" \
  --header "Authorization: Token $TOKEN" \
  --checks not_a_server_error \
  --exclude-path /api/token/ \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --report junit,ndjson --report-dir "$REPORT_DIR" \
  "$@"
