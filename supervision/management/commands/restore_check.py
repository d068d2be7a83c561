"""Check a restored system (README: 运维 / Operations): run it after pg_restore and the copy of the media files.

    manage.py restore_check [--evidence-exists-only]

It checks, and prints what it found:
- every migration of the code is applied to the database;
- the row count of each main table (to compare with the figures printed at backup time);
- every filed document (hand-off letters, recommendations, lead transfer letters: the PDFs whose SHA-256 was recorded
  when they were issued) exists under MEDIA_ROOT and still has that hash;
- every evidence file (of problem sheets and of rectification items) exists, and its content matches the hash
  recorded at upload (only its existence with --evidence-exists-only);
- the audit chain, with `manage.py verify_audit_chain` where that command exists (else: skipped).
Each problem is one line on stderr naming the record and the file; the command exits non-zero when there is any.
"""

import hashlib
import io

from django.apps import apps
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

MAIN_TABLES = [
    "auth.User", "supervision.Unit", "supervision.Person", "supervision.AuditEvent", "supervision.DocumentNumber",
    "supervision.Notification", "rounds.Batch", "rounds.Round", "rounds.Station", "rounds.StationMember",
    "rounds.FieldRecord", "rounds.StationCheck", "rounds.Complaint", "findings.Finding", "findings.Evidence",
    "findings.StationReport", "findings.ProblemLead", "findings.Disposition", "findings.Recommendation",
    "rectification.HandoffLetter", "rectification.RectificationItem", "rectification.ItemEvent",
    "rectification.RectificationEvidence",
]
# (model, file field, hash field): documents filed when issued, each with the SHA-256 of the filed PDF.
FILED_DOCUMENTS = [
    ("rectification.HandoffLetter", "pdf", "pdf_sha256"),
    ("findings.Recommendation", "pdf", "pdf_sha256"),
    ("findings.ProblemLead", "transfer_pdf", "transfer_pdf_sha256"),
]
# (model, file field, hash field): uploaded evidence, hashed at upload.
EVIDENCE = [
    ("findings.Evidence", "file", "sha256"),
    ("rectification.RectificationEvidence", "file", "sha256"),
]
CHUNK = 1024 * 1024
SHOWN = 20  # problems repeated in the final error message


def file_sha256(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "检查恢复后的系统：迁移是否齐全、主要数据表行数、已备案文书和证据材料文件是否存在且哈希一致、审计链是否完整。"

    def add_arguments(self, parser):
        parser.add_argument("--evidence-exists-only", action="store_true", dest="exists_only",
                            help="证据材料只检查文件是否存在，不重新计算哈希（材料很多时更快）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="要检查的数据库别名")

    def handle(self, *args, exists_only: bool, database: str, **options):
        self.problems: list[str] = []
        self.database = database
        self.stdout.write(f"MEDIA_ROOT: {settings.MEDIA_ROOT}")
        self.check_migrations()
        self.count_rows()
        for label, file_field, hash_field in FILED_DOCUMENTS:
            self.check_files(label, file_field, hash_field, kind="filed", verify_hash=True)
        for label, file_field, hash_field in EVIDENCE:
            self.check_files(label, file_field, hash_field, kind="evidence", verify_hash=not exists_only)
        self.check_audit_chain()
        if self.problems:
            shown = "\n".join(self.problems[:SHOWN])
            more = f"\n……另有 {len(self.problems) - SHOWN} 个问题（见上）" if len(self.problems) > SHOWN else ""
            raise CommandError(f"恢复检查未通过：{len(self.problems)} 个问题\n{shown}{more}")
        self.stdout.write(self.style.SUCCESS("恢复检查通过"))

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.stderr.write(f"问题：{text}")

    def check_migrations(self) -> None:
        executor = MigrationExecutor(connections[self.database])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        for migration, _backwards in plan:
            self.problem(f"迁移未执行：{migration.app_label}.{migration.name}")
        applied = len(executor.loader.applied_migrations)
        self.stdout.write(f"migrations: {applied} applied, {len(plan)} missing")

    def count_rows(self) -> None:
        for label in MAIN_TABLES:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            self.stdout.write(f"rows {label}: {model._default_manager.using(self.database).count()}")

    def check_files(self, label: str, file_field: str, hash_field: str, *, kind: str, verify_hash: bool) -> None:
        model = apps.get_model(label)
        storage = model._meta.get_field(file_field).storage
        rows = (model._default_manager.using(self.database).exclude(**{file_field: ""}, **{hash_field: ""})
                .order_by("pk").values_list("pk", file_field, hash_field))
        checked = 0
        for pk, name, recorded in rows.iterator(chunk_size=2000):
            what = f"{label} #{pk}"
            if not name:
                self.problem(f"{what} 记录了 SHA-256，但没有文件")
                continue
            checked += 1
            if not storage.exists(name):
                self.problem(f"{what} 的文件缺失：{name}（{self._path(storage, name)}）")
                continue
            if not recorded:
                self.problem(f"{what} 的文件 {name} 没有记录 SHA-256")
                continue
            if verify_hash:
                actual = file_sha256(storage, name)
                if actual != recorded:
                    self.problem(f"{what} 的文件被改动：{name}（记录 {recorded[:16]}…，实际 {actual[:16]}…）")
        checked_how = "exist and hash" if verify_hash else "exist"
        self.stdout.write(f"{kind} {label}: {checked} files checked ({checked_how})")

    @staticmethod
    def _path(storage, name: str) -> str:
        try:
            return storage.path(name)
        except NotImplementedError:
            return name

    def check_audit_chain(self) -> None:
        if "verify_audit_chain" not in get_commands():
            self.stdout.write("audit chain: skipped (no verify_audit_chain command)")
            return
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("verify_audit_chain", database=self.database, stdout=out, stderr=err)
        except (CommandError, SystemExit) as error:
            code = getattr(error, "code", 1)
            if isinstance(error, SystemExit) and code in (0, None):
                self.stdout.write("audit chain: verified")
                return
            detail = " ".join(part.strip() for part in (str(error), err.getvalue()) if part.strip())
            self.problem(f"审计链校验失败：{detail}")
            return
        finally:
            for line in out.getvalue().splitlines():
                self.stdout.write(f"  {line}")
        self.stdout.write("audit chain: verified")
