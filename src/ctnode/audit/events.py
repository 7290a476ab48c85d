"""The audit event catalogue: every event ctnode writes, with what it records.

``EventName`` is the type of every ``event`` argument of the audit log, so mypy refuses
an event that is not listed here; ``EVENTS`` says what each records, and
``docs/audit.md`` documents each (a test fails when one is missing there). Adding an
event is one line in ``EventName`` and one in ``EVENTS`` (a test keeps them equal).
"""

from __future__ import annotations

from typing import Literal

EventName = Literal[
    # lists, screening, review, keys
    "screen", "screen.batch", "search", "entity.view", "import", "import.failed", "export",
    "dataset.remove",
    "decision", "decision.revoke", "key.create", "key.revoke", "auth.denied",
    # manifests and payments
    "screen.manifest", "screen.manifest.refused", "screen.payments", "screen.payments.refused",
    "travel.retention",
    # federation
    "federation.init", "federation.peer.add", "federation.peer.remove",
    "federation.agreement.add", "federation.agreement.revoke", "federation.refused",
    "federation.peer.refused", "federation.screen", "federation.screen.answered",
    "federation.disclosure.request", "federation.disclosure.received",
    "federation.disclosure.approve", "federation.disclosure.refuse",
    "federation.disclosure.decision", "federation.disclosure.expired",
    "federation.delta.created", "federation.delta.applied", "federation.receipt",
    "federation.alert.sent", "federation.alert.received", "federation.checkpoint",
    "federation.checkpoint.received", "federation.biometric", "federation.biometric.answered",
    # biometrics
    "biometric.enrol", "biometric.import", "biometric.import.failed", "biometric.search",
    "biometric.view", "biometric.export", "biometric.probe", "biometric.purge",
    "biometric.denied",
    # periodic jobs
    "job.failed",
]

EVENTS: dict[EventName, str] = {
    "screen": "A name was screened (CLI, API, yente /match); query hash and result entity ids.",
    "screen.batch": "A batch file was screened; one entry per batch with the count and all result ids.",
    "search": "A free-text search of the lists; query hash and result ids.",
    "entity.view": "An entity's full record (with provenance) was read, on its own or in /match results.",
    "import": "A list was imported; counts of added, changed, removed records and the version.",
    "import.failed": "An import was refused; the store is unchanged; the reason.",
    "dataset.remove": "A list was removed on purpose: its name, how many records, the reason; "
    "the records' ids (first 1,000).",
    "export": "A list was exported (FtM); the number of entities.",
    "decision": "An analyst marked a hit confirmed, false positive or unsure.",
    "decision.revoke": "An analyst revoked a decision (its id, kind, author and the reason); it "
    "suppresses nothing from then on.",
    "key.create": "An API key was created (its id and role, never the secret).",
    "key.revoke": "An API key was revoked.",
    "auth.denied": "A request was refused for a missing, unknown or under-privileged credential.",
    "screen.manifest": "A passenger manifest (PAXLST, PNRGOV, MRZ) was screened; counts, flights, "
    "screening ids and the retention record id; no names.",
    "screen.manifest.refused": "A manifest could not be read; its size and the reason.",
    "screen.payments": "A payment file (ISO 20022, MT103) was screened; counts, screening ids, "
    "listed wallets found and the retention record id; no names.",
    "screen.payments.refused": "A payment file could not be read; its size and the reason.",
    "travel.retention": "The retention policy was applied (on demand or by the scheduler); counts "
    "masked and deleted.",
    "federation.init": "The node made its key pair and descriptor (public key recorded).",
    "federation.peer.add": "An admin added (or replaced) a peer from its signed descriptor.",
    "federation.peer.remove": "An admin removed a peer; its messages are refused from then on.",
    "federation.agreement.add": "A sharing agreement was made (peer, direction, terms).",
    "federation.agreement.revoke": "A sharing agreement was revoked.",
    "federation.refused": "A peer's message was refused (reason, type, sender, envelope hash).",
    "federation.peer.refused": "A peer refused this node's request (reason as given by the peer).",
    "federation.screen": "A network screen: query hash and each peer's outcome.",
    "federation.screen.answered": "A peer's query was answered: hit/no-hit, references given.",
    "federation.disclosure.request": "This node asked a peer to disclose a hit reference.",
    "federation.disclosure.received": "A peer asked this node to disclose a hit reference.",
    "federation.disclosure.approve": "A person approved a disclosure; the fields released.",
    "federation.disclosure.refuse": "A person refused a disclosure, with the reason.",
    "federation.disclosure.decision": "A peer's decision on our disclosure request arrived.",
    "federation.disclosure.expired": "Released fields reached their expiry and were deleted.",
    "federation.delta.created": "A list import produced a delta for subscribed peers.",
    "federation.delta.applied": "A peer's list delta was applied here; receipt returned.",
    "federation.receipt": "A peer's signed receipt for a delta arrived.",
    "federation.alert.sent": "An alert was sent to subscribed peers.",
    "federation.alert.received": "An alert from a peer reached the inbox.",
    "federation.checkpoint": "The node signed an audit checkpoint (chain head at a time).",
    "federation.checkpoint.received": "A peer's signed audit checkpoint was received and stored.",
    "federation.biometric": "A biometric network query: keyed hash of the template sent (never the "
    "image), modality, model, and each peer's outcome.",
    "federation.biometric.answered": "A peer's biometric template probe was answered hit / no-hit / "
    "incompatible model; only the probe's keyed hash is kept, the template itself is discarded.",
    "biometric.enrol": "A face or fingerprint was enrolled: sample, kind, model, legal basis.",
    "biometric.import": "An ANSI/NIST-ITL transaction was imported: records kept and skipped, why.",
    "biometric.import.failed": "An ANSI/NIST file or biometric upload was refused; nothing stored.",
    "biometric.search": "A 1:N biometric search: keyed hash of the probe, candidate entity ids.",
    "biometric.view": "Biometric records of an entity (metadata or an image) were read.",
    "biometric.export": "An entity's biometric records were exported as ANSI/NIST-ITL.",
    "biometric.probe": "A peer's template probe was answered hit / no-hit; only its hash is kept.",
    "biometric.purge": "Biometric records past their retention date (or on request) were deleted.",
    "biometric.denied": "A biometric action was refused: the actor lacks the biometric permission.",
    "job.failed": "A periodic job of the scheduler failed; the job's name and the error.",
}
