"""Evidence uploads: checked by content (not by name), size and name; hashed; stored under a random name
outside anything the web server serves; read back only through a permission-checked view."""

import hashlib
import unicodedata

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.models import FieldRecord, Station, StationCheck
from supervision.audit import audit_record

from ..models import Evidence, Finding

# What a team may upload, by the type the content shows: PDF, photos (phones send HEIC too), Office documents.
ALLOWED_TYPES = {
    "application/pdf": gettext_lazy("PDF"),
    "image/jpeg": gettext_lazy("图片"),
    "image/png": gettext_lazy("图片"),
    "image/heic": gettext_lazy("图片"),
    "image/heif": gettext_lazy("图片"),
    "image/webp": gettext_lazy("图片"),
    "application/msword": gettext_lazy("Word"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy("Word"),
    "application/vnd.ms-excel": gettext_lazy("Excel"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy("Excel"),
    "application/vnd.ms-powerpoint": gettext_lazy("PowerPoint"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": gettext_lazy("PowerPoint"),
    "application/vnd.ms-office": gettext_lazy("Office"),
    "application/CDFV2": gettext_lazy("Office"),
}


# The name's extension must belong to the same family as the content: a PNG may be called .jpg (phones do), but a
# name without a known extension ("passwd", what "../../etc/passwd" becomes once a parser drops its path) or one
# that promises something else (.html) is refused, so a download never opens as another kind of file.
EXTENSIONS = {
    "pdf": {"pdf"},
    "image": {"jpg", "jpeg", "png", "heic", "heif", "webp"},
    "office": {"doc", "docx", "xls", "xlsx", "ppt", "pptx"},
}


def _family(content_type: str) -> str:
    if content_type == "application/pdf":
        return "pdf"
    return "image" if content_type.startswith("image/") else "office"


def clean_name(name: str) -> str:
    """The file's own name, without any path, control characters or leading dots; kept for display only."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:200]


def evidence_check(upload) -> tuple[str, str]:
    """(clean name, content type) of an acceptable upload; a ValidationError with a clear message otherwise."""
    raw_name = getattr(upload, "name", "") or ""
    name = clean_name(raw_name)
    if not name or name != raw_name.strip() or ".." in raw_name or "/" in raw_name or "\\" in raw_name:
        raise ValidationError(_("文件名“%(name)s”不合规：请使用不含路径和特殊字符的文件名") % {"name": raw_name[:100]})
    size = getattr(upload, "size", None) or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(_("文件过大（%(size)s）：单个文件不能超过%(limit)s") % {
            "size": filesizeformat(size), "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)})
    if size == 0:
        raise ValidationError(_("文件是空的"))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    content_type = magic.from_buffer(head, mime=True)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(_("“%(name)s”的内容不是允许的文件类型（PDF、图片、Word、Excel、PowerPoint），"
                                "系统按文件内容识别为 %(type)s") % {"name": name, "type": content_type})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[_family(content_type)]:
        raise ValidationError(_("“%(name)s”的扩展名与文件内容（%(kind)s）不符：请使用 .pdf、.jpg、.png、.docx、.xlsx "
                                "等与内容一致的扩展名") % {"name": name, "kind": ALLOWED_TYPES[content_type]})
    return name, content_type


@transaction.atomic
def evidence_add(*, actor, station: Station, upload, finding: Finding | None = None,
                 station_check: StationCheck | None = None, field_record: FieldRecord | None = None,
                 description: str = "") -> Evidence:
    for owner in (finding, station_check, field_record):
        if owner is not None and owner.station_id != station.pk:
            raise ValidationError(_("材料与驻点不一致"))
    name, content_type = evidence_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(station=station, finding=finding, station_check=station_check, field_record=field_record,
                        original_name=name, content_type=content_type, size=upload.size,
                        sha256=digest.hexdigest(), description=description.strip()[:200],
                        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    evidence.file.save(name, upload, save=False)  # the storage name is random (findings.models.evidence_path)
    evidence.save()
    audit_record(actor=actor, action="evidence.add", obj=station,
                 changes={"evidence": {"before": "", "after": f"{name}（{evidence.sha256[:12]}）"}})
    return evidence
