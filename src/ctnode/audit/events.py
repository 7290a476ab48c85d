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
    "dataset.remove", "audit.export",
    "screening.subject.view", "screening.subject.erase",
    "screen.report.view", "screen.report.erase",
    "decision", "decision.revoke", "key.create", "key.revoke", "auth.denied",
    # the console's people
    "user.create", "user.signin", "user.signin.failed", "user.locked", "user.unlock",
    "user.password.reset", "user.password.change", "user.totp", "user.signout", "session.revoke",
    # refusals before a route runs, and the per-minute counts of strangers' refusals
    "request.refused", "refusals.aggregated",
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
    "federation.delta.created", "federation.delta.applied", "federation.delta.repeated",
    "federation.receipt",
    "federation.alert.sent", "federation.alert.received", "federation.checkpoint",
    "federation.checkpoint.received", "federation.biometric", "federation.biometric.answered",
    "federation.key.rotate", "federation.key.revoke", "federation.key.expiring",
    "federation.peer.key", "federation.hit.notice", "federation.record.restrict",
    "federation.record.unrestrict",
    # biometrics
    "biometric.enrol", "biometric.search.refused", "biometric.import", "biometric.import.failed", "biometric.search",
    "biometric.view", "biometric.export", "biometric.probe", "biometric.purge",
    "biometric.denied",
    # monitoring
    "watch.add", "watch.import", "watch.list", "watch.remove", "watch.alert", "watch.rescreen",
    "watch.expired", "watch.reminder",
    # content hashes
    "hashes.hash", "hashes.match", "hashes.decision", "hashes.quarantine", "hashes.add",
    "hashes.remove", "hashes.import", "hashes.import.failed", "hashes.export",
    "hashes.bank.create", "hashes.bank.change", "hashes.bank.delete",
    "hashes.forensics.keep", "hashes.forensics.list", "hashes.forensics.open",
    "hashes.forensics.purge",
    # threat intelligence
    "intel.collection.add", "intel.import", "intel.import.failed", "intel.read", "intel.view",
    "intel.export", "intel.delete", "intel.source.add", "intel.source.remove", "intel.pull",
    "intel.pull.failed",
    # best-practice library
    "library.add", "library.add.failed", "library.search", "library.view", "library.withdraw",
    # periodic jobs
    "job.failed",
]

EVENTS: dict[EventName, str] = {
    "screen": "A name was screened (CLI, API, yente /match); query hash and result entity ids.",
    "screen.batch": "A batch file was screened; one entry per batch with the count and all result ids.",
    "search": "A free-text search of the lists; query hash and result ids.",
    "screening.subject.view": "The sealed subject of a screening with hits (who was screened) "
    "was opened for its review (the screening id).",
    "screening.subject.erase": "Screened subjects past CTNODE_REVIEW_SUBJECT_DAYS were erased "
    "(how many; job review-subjects).",
    "screen.report.view": "A file report of the console (who was screened in an uploaded "
    "batch, manifest or payments file) was opened or exported (its id, its owner, page or "
    "export format).",
    "screen.report.erase": "File reports past CTNODE_FILE_REPORT_HOURS were deleted (how many; "
    "job file-reports).",
    "audit.export": "Audit entries were exported (the filter and the format: CSV or JSON lines).",
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
    "user.create": "A console account was created (its id, name, role and biometric scopes; "
    "never the password).",
    "user.signin": "A person signed in to the console (account, address, whether a second "
    "factor was asked).",
    "user.signin.failed": "A sign-in to an existing account failed (account, failures in a "
    "row, address).",
    "user.locked": "An account was throttled after repeated failed sign-ins (until when).",
    "user.unlock": "An admin lifted an account's throttle.",
    "user.password.reset": "An admin reset a person's password (the sessions revoked with it).",
    "user.password.change": "A person changed their own password.",
    "user.totp": "A person turned on their TOTP second factor.",
    "user.signout": "A person signed out (their session revoked).",
    "session.revoke": "A person or an admin revoked console sessions (which, how many).",
    "auth.denied": "A request was refused for a missing, unknown or under-privileged credential.",
    "request.refused": "A request was refused before its route ran: body too large, JSON nested "
    "too deeply, a NUL or lone surrogate in a path, query or body; the route and the reason, never "
    "the content.",
    "refusals.aggregated": "Repeats of an unauthenticated refusal (no or wrong API key, a message "
    "from a stranger) in one minute: source address, reason, claimed identity and the count (the "
    "first refusal of the minute is its own entry).",
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
    "federation.delta.repeated": "A peer sent a delta applied here before; it was answered "
    "with the first receipt, not applied again.",
    "federation.receipt": "A peer's signed receipt for a delta arrived.",
    "federation.record.restrict": "An admin restricted a record of a list this node publishes "
    "(no copies, query only; reason kept); subscribers were sent a withdrawn delta.",
    "federation.record.unrestrict": "An admin lifted a record's restriction; subscribers were "
    "sent the record again.",
    "federation.alert.sent": "An alert was sent to subscribed peers.",
    "federation.alert.received": "An alert from a peer reached the inbox.",
    "federation.checkpoint": "The node signed an audit checkpoint (chain head at a time).",
    "federation.checkpoint.received": "A peer's signed audit checkpoint was received and stored.",
    "federation.key.rotate": "This node's key was rotated: old and new public key (the new "
    "descriptor signed by both), pushed to every peer.",
    "federation.key.revoke": "This node revoked its key as compromised (reason recorded) and "
    "moved to a new one; peers refuse the old key from then on.",
    "federation.key.expiring": "Reminder: this node's key is near the end of its planned life "
    "(CTNODE_FEDERATION_KEY_MAX_AGE_DAYS); rotate it.",
    "federation.peer.key": "A peer's key changed (rotated or revoked): the directory followed its "
    "key change certificate (old key, new key, kind, the message that carried it).",
    "federation.hit.notice": "A screen here hit records of a list held as a copy: its publisher "
    "was sent a signed notice (records, band, who asked, purpose, case; never the query).",
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
    "biometric.search.refused": "A biometric search was refused before searching: no purpose or "
    "legal basis, or an unusable probe (modality, size, error and reason; never the probe).",
    "watch.add": "Subjects were put under watch: their ids, owner, expiry, source; no names.",
    "watch.import": "A file of subjects (JSON lines, CSV, manifest, payments) was put under "
    "watch: counts, ids, refused lines; no names.",
    "watch.list": "Watched subjects were read (their ids).",
    "watch.remove": "A subject was taken off the watch list (its hits deleted).",
    "watch.alert": "A list change (or a new subject's first screen) raised alerts: subject ids, "
    "entity ids, kinds (new, band, gone), the review-queue rows, the cause.",
    "watch.rescreen": "Every watched subject was re-screened in full: counts of changes.",
    "watch.expired": "Subjects past their expiry were deleted with their hits.",
    "watch.reminder": "Owners were reminded of subjects about to expire.",
    "hashes.hash": "Files were hashed on the node: count, content types, SHA-256 of each; no content.",
    "hashes.match": "A hash or file was matched: keyed hash of the query, hit ids, records matched.",
    "hashes.decision": "A person decided on a hash hit: confirmed, not terrorist content or unsure.",
    "hashes.quarantine": "Flood protection quarantined hashes (reason, count, publishers told).",
    "hashes.add": "Hashes were added to a bank by hand: counts added and refreshed, record ids.",
    "hashes.remove": "Hashes were removed (delisted) from a bank: tombstones, record ids.",
    "hashes.import": "A hash file was imported into a bank (format, file, counts); all or nothing.",
    "hashes.import.failed": "A hash file was refused; the bank is unchanged; the reason.",
    "hashes.export": "A bank was exported (format, count written, counts withheld and why).",
    "hashes.bank.create": "A hash bank was created with its settings.",
    "hashes.bank.change": "A hash bank was changed (enabled, threshold, description, TLP).",
    "hashes.bank.delete": "A hash bank was deleted with its hashes and hits.",
    "hashes.forensics.keep": "Content was kept, sealed, in the forensics store: SHA-256, size, "
    "name, until when.",
    "hashes.forensics.list": "The forensics store's items were listed (metadata, no content).",
    "hashes.forensics.open": "A person opened one item of the forensics store (its content).",
    "hashes.forensics.purge": "Forensic content past its retention was deleted: count, ids.",
    "intel.collection.add": "A TAXII collection was made (id, alias, title, writable).",
    "intel.import": "STIX objects were added to a collection (file, MISP event, TAXII POST): "
    "source, counts by type, added and already present, watchlist links.",
    "intel.import.failed": "STIX or MISP content was refused; nothing was stored; the reason.",
    "intel.read": "A page of a collection was served (TAXII, or the console's list: endpoint "
                  "console): endpoint, collection, filters, count.",
    "intel.view": "An object's versions and watchlist links (or an entity's linked objects) were "
    "read.",
    "intel.export": "Objects of a collection were exported (STIX bundle or MISP event): count.",
    "intel.delete": "Versions of an object were deleted from a collection: how many.",
    "intel.source.add": "A TAXII server's collection was added as a pull source.",
    "intel.source.remove": "A pull source was removed.",
    "intel.pull": "A pull from a TAXII source: pages, objects added, rejected, new checkpoint.",
    "intel.pull.failed": "A pull from a TAXII source failed; objects of completed pages stay.",
    "library.add": "A document was added to the library: file, SHA-256, languages, topics, TLP.",
    "library.add.failed": "A library document was refused (unreadable file or metadata); "
    "nothing was kept; the reason.",
    "library.search": "A library search: keyed hash of the query, the documents returned.",
    "library.view": "A library document (metadata, text or original) was read.",
    "library.withdraw": "A library document was withdrawn (text, original and index rows "
    "removed, the record kept), with the reason.",
    "job.failed": "A periodic job of the scheduler failed; the job's name and the error.",
}
