"""Gap-free document numbers: one sequence per issuing organ, document kind and year."""

from django.db import IntegrityError, transaction

from ..models import DocumentNumber, Unit

# Kind -> the character that follows the organ's prefix (大纪 + 交 -> 大纪交〔2026〕12号).
KIND_CHARS = {"notice": "告", "handoff": "交", "recommendation": "建", "lead_transfer": "移"}


def document_number_format(*, organ: Unit, kind: str, year: int, number: int) -> str:
    prefix = organ.doc_prefix or organ.name[:2]
    return f"{prefix}{KIND_CHARS[kind]}〔{year}〕{number}号"


def document_number_next(*, organ: Unit, kind: str, year: int) -> tuple[int, str]:
    """Take the next number. Call inside the transaction that saves the document, so a rollback gives the
    number back and no gap is left; the row lock makes concurrent issuers wait their turn."""
    if kind not in KIND_CHARS:
        raise ValueError(f"unknown document kind {kind}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_number_next must run inside the document's transaction")
    for _attempt in range(2):
        row = DocumentNumber.objects.select_for_update().filter(organ=organ, kind=kind, year=year).first()
        if row is None:
            try:
                with transaction.atomic():
                    DocumentNumber.objects.create(organ=organ, kind=kind, year=year, last=0)
            except IntegrityError:
                pass  # another issuer created the row first; lock it on the next pass
            continue
        row.last += 1
        row.save(update_fields=["last"])
        return row.last, document_number_format(organ=organ, kind=kind, year=year, number=row.last)
    raise RuntimeError("could not take a document number")
