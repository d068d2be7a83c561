#!/usr/bin/env bash
# Back up the system: the PostgreSQL database (pg_dump custom format) and the media files (evidence, filed PDFs).
#
#   DATABASE_URL=postgres://user:pass@host:5432/supervision MEDIA_ROOT=/var/lib/supervision/media \
#     scripts/backup.sh [BACKUP_ROOT]
#
# Writes BACKUP_ROOT/<YYYYmmdd-HHMMSS>/ (BACKUP_ROOT defaults to ./backups) with supervision.dump, media.tar.gz and
# SHA256SUMS, and prints the directory. The database is dumped first, then the files: a row in the dump never
# points at a file that the archive lacks (files are written before the row that names them is committed, and are
# not deleted), so backing up while the system runs is safe. pg_dump takes one consistent snapshot.
# Needs pg_dump of the server's major version (or newer), tar and sha256sum.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL (postgres://user:password@host:5432/dbname)}"
: "${MEDIA_ROOT:?set MEDIA_ROOT (the directory of MEDIA_ROOT in the settings: VAR_DIR/media by default)}"
[ -d "$MEDIA_ROOT" ] || { echo "backup: MEDIA_ROOT $MEDIA_ROOT is not a directory" >&2; exit 1; }
root=${1:-backups}
dest="$root/$(date +%Y%m%d-%H%M%S)"
umask 077  # the backup holds the most sensitive records: readable by its owner only
mkdir -p "$dest"
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file "$dest/supervision.dump" "$DATABASE_URL"
tar --create --gzip --file "$dest/media.tar.gz" --directory "$MEDIA_ROOT" .
(cd "$dest" && sha256sum supervision.dump media.tar.gz > SHA256SUMS)
echo "backup: $dest ($(du -sh "$dest" | cut -f1))"
