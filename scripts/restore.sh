#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a FRESH, empty database and an empty media directory, then check
# the result with `manage.py restore_check`.
#
#   createdb -h HOST -U USER supervision_restored
#   DATABASE_URL=postgres://user:pass@host:5432/supervision_restored MEDIA_ROOT=/var/lib/supervision/media \
#     scripts/restore.sh backups/20260101-020000
#
# Refuses a database that already has tables and a media directory that is not empty. The check runs with the
# settings of this environment (DJANGO_SETTINGS_MODULE, DATABASE_URL, MEDIA_ROOT); set PYTHON to the interpreter
# of the installation (default: .venv/bin/python if present, else python). Exit status non-zero on any problem.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the fresh database to restore into}"
: "${MEDIA_ROOT:?set MEDIA_ROOT to the (empty) media directory to restore into}"
src=${1:?usage: restore.sh BACKUP_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$here/.venv/bin/python" ]; then PYTHON="$here/.venv/bin/python"; else PYTHON=python; fi
fi
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
tables=$(psql "$DATABASE_URL" -tAc "select count(*) from pg_tables where schemaname = 'public'")
[ "$tables" = 0 ] || { echo "restore: the database already has $tables tables; restore into a fresh one" >&2; exit 1; }
mkdir -p "$MEDIA_ROOT"
[ -z "$(ls -A "$MEDIA_ROOT")" ] || { echo "restore: MEDIA_ROOT $MEDIA_ROOT is not empty" >&2; exit 1; }
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname "$DATABASE_URL" \
  "$src/supervision.dump"
tar --extract --gzip --file "$src/media.tar.gz" --directory "$MEDIA_ROOT"
cd "$here"
"$PYTHON" manage.py restore_check
