#!/usr/bin/env bash
# `make test`: the suite in one process per core (pytest-xdist; each process has its own test database), in two
# passes. Tests on a transactional database (the browser tests' live server, the worker and concurrency tests) end
# by emptying their database, which takes the rows the migrations seed (roles, checklist, formulas, beat schedule)
# with it; Django runs them after all others for that reason. Across processes xdist cannot keep that order, so
# they get a pass of their own. TEST_WORKERS=0 runs each pass in this process. Extra arguments go to pytest.
set -u
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
WORKERS="${TEST_WORKERS:-auto}"
status=0
for selection in "not transactional" "transactional"; do
  echo "== tests: ${selection}"
  "$PY" -m pytest -n "$WORKERS" --dist loadfile -m "$selection" "$@"
  code=$?
  if [ "$code" -eq 5 ]; then code=0; fi  # nothing selected in this pass (a narrower run)
  if [ "$code" -ne 0 ]; then status=$code; fi
done
exit "$status"
