"""SQL for the biometric tables (SQLAlchemy Core; SQLite and PostgreSQL alike).

Rows hold ciphertext only; sealing and opening is the service's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select

from ctnode.store import schema_biometrics as tb


def insert_transaction(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(tb.biometric_transactions.insert().values(**row))


def insert_sample(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(tb.biometric_samples.insert().values(**row))


def insert_template(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(tb.biometric_templates.insert().values(**row))


def insert_hit(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(tb.biometric_hits.insert().values(**row))


def generation(
    engine: Engine, modality: str, model_id: str, engine_name: str, today: date
) -> tuple[int, str]:
    """A cheap marker that changes when the searchable templates of one model change."""
    t = tb.biometric_templates
    with engine.connect() as conn:
        row = conn.execute(
            select(func.count(), func.max(t.c.created_at), func.min(t.c.retain_until)).where(
                t.c.modality == modality,
                t.c.model_id == model_id,
                t.c.engine == engine_name,
                t.c.retain_until >= today,
            )
        ).one()
    return int(row[0]), f"{row[1]}|{row[2]}"


def iter_templates(
    engine: Engine, modality: str, model_id: str, engine_name: str, today: date
) -> Iterator[Any]:
    t = tb.biometric_templates
    with engine.connect() as conn:
        yield from conn.execute(
            select(t.c.id, t.c.sample_id, t.c.entity_id, t.c.template_ct)
            .where(
                t.c.modality == modality,
                t.c.model_id == model_id,
                t.c.engine == engine_name,
                t.c.retain_until >= today,
            )
            .order_by(t.c.id)
        )


def samples_for_templates(engine: Engine, template_ids: list[str]) -> dict[str, Any]:
    """template id → joined sample row (without the image)."""
    if not template_ids:
        return {}
    t, s = tb.biometric_templates, tb.biometric_samples
    cols = [
        t.c.id.label("template_id"),
        s.c.id,
        s.c.entity_id,
        s.c.kind,
        s.c.position,
        s.c.capture_date,
        s.c.source,
        s.c.quality,
        s.c.legal_basis,
        s.c.note,
        s.c.retain_until,
    ]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*cols).join(s, s.c.id == t.c.sample_id).where(t.c.id.in_(template_ids))
        )
        return {r.template_id: r for r in rows}


def list_samples(engine: Engine, entity_id: str) -> list[Any]:
    s = tb.biometric_samples
    cols = [c for c in s.c if c.name != "image_ct"]
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(*cols).where(s.c.entity_id == entity_id).order_by(s.c.created_at, s.c.id)
            )
        )


def get_sample(engine: Engine, sample_id: str) -> Any | None:
    s = tb.biometric_samples
    with engine.connect() as conn:
        return conn.execute(select(s).where(s.c.id == sample_id)).first()


def expired_sample_ids(conn: Connection, today: date) -> list[str]:
    s = tb.biometric_samples
    return [r[0] for r in conn.execute(select(s.c.id).where(s.c.retain_until < today))]


def delete_samples(conn: Connection, sample_ids: list[str]) -> int:
    """Delete samples with their templates and hit references (explicitly, not by cascade)."""
    if not sample_ids:
        return 0
    conn.execute(delete(tb.biometric_hits).where(tb.biometric_hits.c.sample_id.in_(sample_ids)))
    conn.execute(
        delete(tb.biometric_templates).where(tb.biometric_templates.c.sample_id.in_(sample_ids))
    )
    res = conn.execute(
        delete(tb.biometric_samples).where(tb.biometric_samples.c.id.in_(sample_ids))
    )
    return int(res.rowcount or 0)


def get_hit(engine: Engine, reference: str) -> Any | None:
    h = tb.biometric_hits
    with engine.connect() as conn:
        return conn.execute(select(h).where(h.c.reference == reference)).first()


def count_rows(engine: Engine) -> dict[str, int]:
    out = {}
    with engine.connect() as conn:
        for table in (
            tb.biometric_transactions,
            tb.biometric_samples,
            tb.biometric_templates,
            tb.biometric_hits,
        ):
            out[table.name] = int(
                conn.execute(select(func.count()).select_from(table)).scalar_one()
            )
    return out
