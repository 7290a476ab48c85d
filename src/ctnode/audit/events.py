"""Audit event types. Every event name ctnode writes is listed here with what it records.

``docs/audit.md`` documents each; a test fails when one is missing there.
"""

from __future__ import annotations

EVENTS: dict[str, str] = {
    "screen": "A name was screened (CLI, API, yente /match); query hash and result entity ids.",
    "screen.batch": "A batch file was screened; one entry per batch with the count and all result ids.",
    "search": "A free-text search of the lists; query hash and result ids.",
    "entity.view": "An entity's full record (with provenance) was read.",
    "import": "A list was imported; counts of added, changed, removed records and the version.",
    "import.failed": "An import was refused; the store is unchanged; the reason.",
    "export": "A list was exported (FtM); the number of entities.",
    "decision": "An analyst marked a hit confirmed, false positive or unsure.",
    "key.create": "An API key was created (its id and role, never the secret).",
    "key.revoke": "An API key was revoked.",
    "auth.denied": "A request was refused for a missing, unknown or under-privileged credential.",
}

# --- travel and payments (ctnode.travel, ctnode.payments) ---
EVENTS.update(
    {
        "screen.manifest": "A passenger manifest (PAXLST, PNRGOV, MRZ) was screened; counts, flights, "
        "screening ids and the retention record id; no names.",
        "screen.manifest.refused": "A manifest could not be read; its size and the reason.",
        "screen.payments": "A payment file (ISO 20022, MT103) was screened; counts, screening ids, "
        "listed wallets found and the retention record id; no names.",
        "screen.payments.refused": "A payment file could not be read; its size and the reason.",
        "travel.retention": "The retention policy was applied on demand; counts masked and deleted.",
    }
)
# --- end travel and payments ---


def register(name: str, description: str) -> None:
    """Feature modules (federation, biometrics, travel, payments) add their events here."""
    EVENTS.setdefault(name, description)
