"""Gap-free 文号: a counter row per mechanism, kind and year, locked while a number is taken.

Numbers are taken at signing, inside the signing transaction, so an abandoned draft or a
rolled-back signing takes none. Same pattern as cases/numbering.py: `select_for_update`
serialises signers on PostgreSQL; SQLite's IMMEDIATE transactions already hold the write lock.
"""

from django.db import IntegrityError, transaction

from cases.models import DocumentKind, DocumentNumbering, Mechanism
from docgen.errors import DocumentError
from docgen.models import DocumentCounter


def numbering_for(*, mechanism: Mechanism, kind: str) -> DocumentNumbering:
    numbering = DocumentNumbering.objects.filter(mechanism=mechanism, kind=kind).first()
    if numbering is None:
        raise DocumentError(f"本机制未配置{DocumentKind(kind).label}的文号规则，请先在“文号规则”中设置。")
    return numbering


def document_number_take(*, mechanism: Mechanism, kind: str, year: int) -> tuple[int, str]:
    """Return (seq, number) such as (7, "高征争转〔2026〕7号"). Must run inside a transaction."""
    numbering = numbering_for(mechanism=mechanism, kind=kind)
    lookup = dict(mechanism=mechanism, kind=kind, year=year)
    counter = DocumentCounter.objects.select_for_update().filter(**lookup).first()
    if counter is None:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(**lookup, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; lock it below
        counter = DocumentCounter.objects.select_for_update().get(**lookup)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, numbering.format(year=year, seq=counter.last_value)
