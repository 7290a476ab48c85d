"""Content hashes as data: signal types, the label taxonomy, banks, records, hits.

Pure data, no I/O: the store keeps these, the services decide on them, the formats
read and write them. Every record keeps where it came from (``Provenance``) and
the tags it arrived with, verbatim, beside the labels mapped into our taxonomy. TLP
markings are the node's one ``ctnode.model.tlp.TLP``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from ctnode.errors import InvalidInput
from ctnode.model.tlp import TLP

#: PDQ's own advice: 31 bits of 256 or fewer is a confident match (pdq/README, ThreatExchange).
DEFAULT_PDQ_THRESHOLD = 31
#: The largest per-bank PDQ threshold we accept. Past ~63 bits unrelated images start to match
#: (two random hashes differ by 128 ± 8 bits; real photos cluster closer than random bits).
MAX_PDQ_THRESHOLD = 63
#: PDQ's quality score (0-100): under 50 the image is too flat for its hash to mean much.
MIN_PDQ_QUALITY = 50
#: vPDQ defaults from python-threatexchange: frames match at <= 31 bits; a video matches when
#: at least 80% of the query's (quality >= 50, de-duplicated) frames find a frame in it.
DEFAULT_VPDQ_FRAME_THRESHOLD = 31
DEFAULT_VPDQ_QUERY_MATCH_PERCENT = 80.0
DEFAULT_VPDQ_COMPARED_MATCH_PERCENT = 0.0

_BANK_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")


class HashFormatError(InvalidInput):
    """A hash value, file or record is malformed; the message names the file, line and field."""

    code = "invalid_hash"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                source,
                f"line {line}" if line is not None else None,
                f"field {field!r}" if field else None,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message
        self.source = source
        self.line = line
        self.field = field


class ContentType(StrEnum):
    """What a file is, as far as hashing goes."""

    IMAGE = "image"
    VIDEO = "video"
    FILE = "file"  # anything else: only the cryptographic hashes apply


class SignalType(StrEnum):
    """The kinds of hash a bank holds. Names follow python-threatexchange where it has them."""

    PDQ = "pdq"  # 256-bit perceptual hash of an image; compared by Hamming distance
    VPDQ = "vpdq"  # a PDQ hash per second of video, with quality and timestamp per frame
    MD5 = "md5"  # exact file hash (ThreatExchange/HMA call it video_md5)
    SHA256 = "sha256"  # exact file hash (ThreatExchange: video_sha256)

    @property
    def exact(self) -> bool:
        """Exact hashes match only themselves; perceptual ones match within a distance."""
        return self in (SignalType.MD5, SignalType.SHA256)


class LabelGroup(StrEnum):
    """Which part of the taxonomy a label belongs to."""

    BEHAVIOUR = "behaviour"  # what the content does (GIFCT's behavioural labels)
    INCIDENT = (
        "incident"  # produced by attackers during an attack (GIFCT Incident Response Framework)
    )
    PUBLICATION = "publication"  # documents (GIFCT's 2021 taxonomy expansion)
    REVIEW = "review"  # set by analysts on this node


class Label(StrEnum):
    """The taxonomy hashes are labelled with. Modelled on GIFCT's hash-sharing database taxonomy:
    its five behavioural labels, its incident-response and 2021 document categories, and two of our
    own for review. See docs/hashes.md for each label's meaning and source."""

    IMMINENT_CREDIBLE_THREAT = "imminent_credible_threat"
    GRAPHIC_VIOLENCE = "graphic_violence"
    GLORIFICATION = "glorification"
    RECRUITMENT = "recruitment"
    INSTRUCTION = "instruction"
    ATTACKER_CONTENT = "attacker_content"
    ATTACKER_MANIFESTO = "attacker_manifesto"
    BRANDED_PUBLICATION = "branded_publication"
    UNDER_REVIEW = "under_review"

    @classmethod
    def parse(cls, text: str) -> Label:
        """A label from its name or a common spelling of it (case, spaces, GIFCT's long names)."""
        key = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
        return parse_enum(cls, text, _LABEL_ALIASES.get(key, key), what="label", field="labels")


_E = TypeVar("_E", bound=StrEnum)


def parse_enum(kind: type[_E], text: str, key: str, *, what: str, field: str) -> _E:
    """``kind(key)``, or a ``HashFormatError`` naming ``text`` and every known value."""
    try:
        return kind(key)
    except ValueError:
        known = ", ".join(item.value for item in kind)
        raise HashFormatError(f"unknown {what} {text!r}; known: {known}", field=field) from None


def parse_tlp(text: str, *, field: str = "tlp") -> TLP:
    """A TLP marking (``ctnode.model.tlp.TLP.parse``) with the error this engine raises."""
    try:
        return TLP.parse(text)
    except ValueError as exc:
        raise HashFormatError(str(exc), field=field) from None


def label_group(label: Label) -> LabelGroup:
    """Which part of the taxonomy ``label`` belongs to."""
    return LABEL_GROUPS[label]


LABEL_GROUPS = {
    Label.IMMINENT_CREDIBLE_THREAT: LabelGroup.BEHAVIOUR,
    Label.GRAPHIC_VIOLENCE: LabelGroup.BEHAVIOUR,
    Label.GLORIFICATION: LabelGroup.BEHAVIOUR,
    Label.RECRUITMENT: LabelGroup.BEHAVIOUR,
    Label.INSTRUCTION: LabelGroup.BEHAVIOUR,
    Label.ATTACKER_CONTENT: LabelGroup.INCIDENT,
    Label.ATTACKER_MANIFESTO: LabelGroup.PUBLICATION,
    Label.BRANDED_PUBLICATION: LabelGroup.PUBLICATION,
    Label.UNDER_REVIEW: LabelGroup.REVIEW,
}

_LABEL_ALIASES = {
    "ict": "imminent_credible_threat",
    "graphic_violence_against_defenseless_people": "graphic_violence",
    "graphic_violence_against_defenceless_people": "graphic_violence",
    "glorification_of_terrorist_acts": "glorification",
    "instructional": "instruction",
    "instructional_content": "instruction",
    "content_incident": "attacker_content",
    "content_incident_protocol": "attacker_content",
    "manifesto": "attacker_manifesto",
    "branded_terrorist_content": "branded_publication",
}


class HashDecision(StrEnum):
    """What a person decides on a hash hit (nothing is decided automatically)."""

    CONFIRMED = "confirmed"  # the content is the terrorist content the hash stands for
    NOT_TERRORIST_CONTENT = "not_terrorist_content"  # counts towards the hash's flood protection
    UNSURE = "unsure"


class BankKind(StrEnum):
    """What a bank's hashes mean when they match."""

    CONTENT = "content"  # known terrorist content: a match is a hit for a person to decide on
    BENIGN = "benign"  # known-benign content: a match flags the other hits on the same query


class RecordStatus(StrEnum):
    ACTIVE = "active"  # matches
    QUARANTINED = "quarantined"  # kept but does not match (flood protection); its publisher is told
    REMOVED = "removed"  # delisted; kept only as a tombstone so removal reaches every copy


def validate_bank_name(name: str) -> str:
    """HMA's rule, so banks travel both ways: upper-case letters, digits, underscore, no leading digit."""
    if not _BANK_NAME.match(name):
        raise HashFormatError(
            f"bank name {name!r} must be 1-64 characters of A-Z, 0-9 and _, not starting with a digit",
            field="bank",
        )
    return name


@dataclass(frozen=True, slots=True)
class Bank:
    """A named set of hashes with its own matching rules."""

    name: str
    enabled: bool = True
    kind: BankKind = BankKind.CONTENT
    # Largest PDQ Hamming distance (bits of 256) that counts as a match in this bank. Lower:
    # fewer false matches but edited copies (crops, captions) are missed; higher: the reverse.
    pdq_threshold: int = DEFAULT_PDQ_THRESHOLD
    # vPDQ: share of the query video's frames that must find a frame in the banked video.
    vpdq_query_match_percent: float = DEFAULT_VPDQ_QUERY_MATCH_PERCENT
    vpdq_compared_match_percent: float = DEFAULT_VPDQ_COMPARED_MATCH_PERCENT
    description: str = ""
    owner: str = ""  # node id of the bank's publisher ("" = this node)
    default_tlp: TLP = TLP.AMBER

    def __post_init__(self) -> None:
        validate_bank_name(self.name)
        if not 0 <= self.pdq_threshold <= MAX_PDQ_THRESHOLD:
            raise HashFormatError(
                f"PDQ threshold {self.pdq_threshold} outside 0-{MAX_PDQ_THRESHOLD}",
                field="pdq_threshold",
            )
        for name in ("vpdq_query_match_percent", "vpdq_compared_match_percent"):
            if not 0.0 <= getattr(self, name) <= 100.0:
                raise HashFormatError(f"{name} must be 0-100", field=name)


#: ``Provenance.source_format`` of a derived hash: "derived:<crop name>" (signals.pdq.CROPS);
#: its ``original_id`` is the record id of the item (the picture's own PDQ record).
DERIVED = "derived:"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a hash came from: a peer node, an imported file, or this node's own hashing."""

    source_kind: str  # "node" | "file" | "local"
    source: str  # peer node id, file name, or the local actor
    added_at: datetime  # when the source says it was added (UTC)
    original_id: str = (
        ""  # the id it had there (HMA content id, ThreatExchange indicator id, STIX id)
    )
    source_format: str = ""  # e.g. "hma2-json", "te-simple", "stix2.1"

    def __post_init__(self) -> None:
        if self.source_kind not in ("node", "file", "local"):
            raise HashFormatError(
                f"unknown provenance kind {self.source_kind!r}", field="source_kind"
            )
        if self.added_at.tzinfo is None:
            object.__setattr__(self, "added_at", self.added_at.replace(tzinfo=UTC))


@dataclass(frozen=True, slots=True)
class HashRecord:
    """One hash in one bank, with everything needed to explain a match on it."""

    record_id: str
    bank: str
    signal_type: SignalType
    value: str  # normalised: lower-case hex; for vPDQ the ThreatExchange JSON list of frames
    provenance: Provenance
    labels: frozenset[Label] = frozenset()
    tags: tuple[str, ...] = ()  # the source's own tags, verbatim
    tlp: TLP = TLP.AMBER
    quality: int | None = None  # PDQ quality when this node hashed it; None for imported hashes
    status: RecordStatus = RecordStatus.ACTIVE
    note: str = ""

    @property
    def derivation(self) -> str:
        """For a derived hash (a standard crop of a banked picture): the crop's name, else ""."""
        fmt = self.provenance.source_format
        return fmt.removeprefix(DERIVED) if fmt.startswith(DERIVED) else ""

    @property
    def item(self) -> str:
        """The record this hash stands for: its parent for a derived hash, else itself."""
        return self.provenance.original_id if self.derivation else self.record_id

    def as_dict(self) -> dict[str, Any]:
        """The one wire form of a record (API, CLI, exchange), provenance nested."""
        prov = self.provenance
        return {
            "record_id": self.record_id,
            "bank": self.bank,
            "signal_type": self.signal_type.value,
            "value": self.value,
            "labels": sorted(label.value for label in self.labels),
            "tags": list(self.tags),
            "tlp": self.tlp.label,
            "quality": self.quality,
            "status": self.status.value,
            "note": self.note,
            "provenance": {
                "source_kind": prov.source_kind,
                "source": prov.source,
                "added_at": prov.added_at.isoformat(),
                "original_id": prov.original_id,
                "source_format": prov.source_format,
            },
        }


@dataclass(frozen=True, slots=True)
class MatchHit:
    """A banked hash that matched a query, with why: distance, threshold, variant, frames."""

    record: HashRecord
    bank: Bank
    distance: int  # PDQ bits differing (best dihedral variant); 0 for exact hashes
    threshold: int  # the bank's threshold the distance was held against
    query_signal: SignalType
    variant: str = "original"  # which dihedral transform of the query matched (PDQ)
    query_match_percent: float | None = None  # vPDQ only
    compared_match_percent: float | None = None  # vPDQ only
    low_quality_query: bool = False  # the query's PDQ quality was under MIN_PDQ_QUALITY

    @property
    def explanation(self) -> str:
        """One sentence a reviewer reads beside the hit."""
        rec = self.record
        what = f"{rec.signal_type.value} hash {rec.record_id} in bank {self.bank.name}"
        if rec.signal_type.exact:
            why = "identical file hash"
        elif rec.signal_type is SignalType.VPDQ:
            why = (
                f"{self.query_match_percent:.0f}% of the query's frames and "
                f"{self.compared_match_percent:.0f}% of the banked video's frames within {self.threshold} bits"
            )
        else:
            why = f"{self.distance} of 256 bits differ (bank threshold {self.threshold})"
            query, _, crop = self.variant.partition("~")
            if crop:
                why += f", through a banked crop of the picture ({crop})"
            if query != "original":
                why += f", query {query.replace('_', ' ')}"
        if self.low_quality_query:
            why += f"; query image quality under {MIN_PDQ_QUALITY}, treat with caution"
        labels = ", ".join(sorted(label.value for label in rec.labels)) or "no labels"
        return f"{what}: {why}; labels: {labels}; {rec.tlp.label}"


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A PDQ hash the node computed, with its quality and the hashes of the 8 dihedral variants."""

    value: str
    quality: int
    variants: tuple[tuple[str, str], ...] = field(default=())  # (variant name, hex), original first
    crops: tuple[tuple[str, str], ...] = field(default=())  # (crop name, hex): signals.pdq.CROPS


@dataclass(frozen=True, slots=True)
class VpdqFrame:
    pdq: str
    quality: int
    timestamp: float


def vpdq_to_value(frames: tuple[VpdqFrame, ...] | list[VpdqFrame]) -> str:
    """python-threatexchange's vPDQ signal string: a JSON list of "hex,quality,seconds" strings."""
    return "[" + ", ".join(f'"{f.pdq},{f.quality},{f.timestamp:.3}"' for f in frames) + "]"


@dataclass(frozen=True, slots=True)
class FileHashes:
    """Everything hashing one file produced. The content itself is never kept."""

    name: str
    size: int
    content_type: ContentType
    md5: str
    sha256: str
    pdq: PdqHash | None = None
    vpdq: tuple[VpdqFrame, ...] | None = None
    notes: tuple[str, ...] = ()  # why a signal is missing (e.g. video hashing not installed)

    def signals(self) -> dict[SignalType, str]:
        """The hashes as (signal type → value), ready to bank or to send."""
        out = {SignalType.MD5: self.md5, SignalType.SHA256: self.sha256}
        if self.pdq is not None:
            out[SignalType.PDQ] = self.pdq.value
        if self.vpdq:
            out[SignalType.VPDQ] = vpdq_to_value(self.vpdq)
        return out
