"""Sharing agreements: which of my lists a peer may query, why, how often, how far
disclosure may go, and until when. Pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from ctnode.clock import as_utc
from ctnode.errors import InvalidInput, Refused
from ctnode.hashes.model import HashFormatError, Label

Direction = Literal["outbound", "inbound"]
DIRECTIONS: tuple[str, ...] = ("outbound", "inbound")
# Disclosure levels, lowest first: hit/no-hit only; + reference and score band;
# + agreed fields after a person's approval.
DISCLOSURE_LEVELS: tuple[str, ...] = ("hit", "reference", "fields")
# Purposes named in the network's standard agreements (others may be agreed too).
KNOWN_PURPOSES: tuple[str, ...] = (
    "border_screening",
    "terrorism_financing",
    "investigation",
    "visa_screening",
    "travel_screening",
)
# Biometric modalities an agreement may open to template probes (special-category data:
# never implied by '*' or by a purpose; named one by one).
BIOMETRIC_MODALITIES: tuple[str, ...] = ("face", "fingerprint")
# Entity properties an agreement may release on an approved disclosure.
DISCLOSABLE_FIELDS: tuple[str, ...] = (
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "birthDate",
    "birthPlace",
    "nationality",
    "passportNumber",
    "idNumber",
    "gender",
    "address",
    "notes",
    "listingDate",
    "program",
    "reference",
    "dataset",
)


# What copies carry when the agreement does not say: the names a subscriber screens with.
DEFAULT_COPY_FIELDS: list[str] = ["name"]


def validate_copy_fields(copy_fields: list[str] | None, subscribed: bool) -> list[str] | None:
    """Check the fields copies may carry (any disclosable field; only with a subscription)."""
    if copy_fields is None:
        return None
    bad = [f for f in copy_fields if f not in DISCLOSABLE_FIELDS]
    if bad:
        raise InvalidInput(
            f"copy fields not allowed: {', '.join(bad)} (allowed: {', '.join(DISCLOSABLE_FIELDS)})"
        )
    if copy_fields and not subscribed:
        raise InvalidInput("copy fields are named only with a subscription (subscribed)")
    return sorted(set(copy_fields))


def filter_copy(entity: dict[str, Any], carry: list[str]) -> dict[str, Any]:
    """An entity as it goes out as a copy: only the statements of the agreed properties
    (and its reference only when ``reference`` is agreed); id, schema and list always."""
    keep = set(carry)
    return {
        **entity,
        "reference": entity.get("reference") if "reference" in keep else None,
        "statements": [s for s in entity.get("statements", []) if s.get("prop") in keep],
    }


# What an agreement names besides watchlists: each is shared only when named (never by '*').
SCOPE_PREFIXES: tuple[str, ...] = ("hashes:", "intel:")
LIBRARY_SCOPE = "library"


def is_scope(name: str) -> bool:
    """A hash bank, a threat intelligence collection or the library, rather than a list."""
    return name == LIBRARY_SCOPE or name.startswith(SCOPE_PREFIXES)


# The ceilings an agreement may set on the TLP of what scoped deltas carry (never RED).
MAX_TLP_LEVELS: tuple[str, ...] = ("clear", "green", "amber", "amber+strict")


def validate_max_tlp(max_tlp: str | None) -> str | None:
    """Check the TLP ceiling of an agreement (``TLP:GREEN``, ``green``, ...), normalised."""
    if max_tlp is None or not max_tlp.strip():
        return None
    key = max_tlp.strip().casefold().removeprefix("tlp:")
    if key not in MAX_TLP_LEVELS:
        raise InvalidInput(f"max_tlp must be one of {', '.join(MAX_TLP_LEVELS)} (RED never leaves)")
    return key


def norm_purpose(purpose: str) -> str:
    return "_".join(purpose.strip().casefold().replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class Agreement:
    """One agreement with one peer in one direction.

    ``outbound``: what this node shares with the peer (enforced here when the peer asks).
    ``inbound``: what the peer told us it shares with us (used to pick whom to ask).
    """

    id: str
    peer_id: str
    direction: str
    lists: list[str]
    purposes: list[str]
    rate_per_minute: int
    max_disclosure: str
    fields: list[str]
    subscribed: bool
    expires_at: datetime
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    biometrics: list[str] = field(default_factory=list)  # modalities peers may probe
    # What a subscribed peer receives as copies (list deltas), separate from what it may
    # query; None (an agreement made before issue 13, or one that does not say): names only.
    copy_fields: list[str] | None = None
    # The most restrictive TLP level scoped deltas (threat intelligence, the library, hash
    # banks) carry to this peer; None: what TLP itself allows (``FederationContext.recipient``).
    max_tlp: str | None = None
    # Hash banks: the taxonomy labels (``ctnode.hashes.model.Label``) a hash must carry to be
    # sent; every label of the hash must be named here. None (an agreement made before, or one
    # that does not say): every label.
    hash_labels: list[str] | None = None

    def covers_labels(self, labels: Iterable[str]) -> bool:
        """Whether a hash with these labels may be sent under the agreement: no label filter,
        or labels all named in it (an unlabelled hash is not covered by a filter)."""
        if self.hash_labels is None:
            return True
        have = {str(x) for x in labels}
        return bool(have) and have <= set(self.hash_labels)

    def copies_carry(self) -> list[str]:
        """The properties a copy sent under this agreement carries."""
        return DEFAULT_COPY_FIELDS if self.copy_fields is None else self.copy_fields

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Agreement:
        """An agreement from its stored row (or from ``to_dict``)."""
        data: dict[str, Any] = {f.name: row.get(f.name) for f in fields(cls)}
        for name in ("lists", "purposes", "fields", "biometrics"):
            data[name] = list(data[name] or [])
        for name in ("copy_fields", "hash_labels"):
            if data[name] is not None:
                data[name] = list(data[name])
        for name in ("expires_at", "created_at", "revoked_at"):
            value = data[name]
            data[name] = as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
        data["rate_per_minute"] = int(data["rate_per_minute"])
        data["subscribed"] = bool(data["subscribed"])
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("expires_at", "created_at", "revoked_at"):
            out[name] = out[name].isoformat() if out[name] else None
        return out

    def shares(self, dataset: str) -> bool:
        """Whether the agreement covers a list, a hash bank (``hashes:<BANK>``), a threat
        intelligence collection (``intel:<COLLECTION>``) or the library (``library``). ``*``
        covers every list but none of the others: each is named (``is_scope``)."""
        if dataset in self.lists:
            return True
        return "*" in self.lists and not is_scope(dataset)

    def level_at_least(self, level: str) -> bool:
        return DISCLOSURE_LEVELS.index(self.max_disclosure) >= DISCLOSURE_LEVELS.index(level)

    def check(
        self,
        *,
        now: datetime,
        purpose: str | None = None,
        lists: list[str] | None = None,
        biometric: str | None = None,
    ) -> None:
        """Raise ``Refused`` with the reason this agreement does not cover the request."""
        if now >= self.expires_at:
            raise Refused(
                f"the agreement expired on {self.expires_at:%Y-%m-%d %H:%M} UTC", "expired"
            )
        if purpose is not None and norm_purpose(purpose) not in self.purposes:
            raise Refused(
                f"purpose {purpose!r} is outside the agreement (allowed: "
                f"{', '.join(self.purposes)})",
                "purpose",
            )
        for name in lists or []:
            if not self.shares(name):
                raise Refused(f"list {name!r} is not shared under the agreement", "list_not_shared")
        if biometric is not None and biometric not in self.biometrics:
            allowed = ", ".join(self.biometrics) or "none"
            raise Refused(
                f"the agreement does not allow biometric queries ({biometric}); "
                f"biometric modalities agreed: {allowed}",
                "biometric_not_agreed",
            )


def validate_terms(
    *,
    direction: str,
    lists: list[str],
    purposes: list[str],
    rate_per_minute: int,
    max_disclosure: str,
    fields: list[str],
) -> tuple[list[str], list[str], list[str]]:
    """Check and normalise an agreement's terms; returns (lists, purposes, fields)."""
    if direction not in DIRECTIONS:
        raise InvalidInput("direction must be outbound or inbound")
    lists = sorted({x.strip() for x in lists if x.strip()})
    if not lists:
        raise InvalidInput("an agreement names at least one list (or '*')")
    norm = sorted({norm_purpose(p) for p in purposes if p.strip()})
    if not norm:
        raise InvalidInput("an agreement names at least one purpose")
    if not 1 <= rate_per_minute <= 100_000:
        raise InvalidInput("rate_per_minute must be between 1 and 100000")
    if max_disclosure not in DISCLOSURE_LEVELS:
        raise InvalidInput(f"max_disclosure must be one of {', '.join(DISCLOSURE_LEVELS)}")
    bad = [f for f in fields if f not in DISCLOSABLE_FIELDS]
    if bad:
        raise InvalidInput(
            f"fields not disclosable: {', '.join(bad)} (allowed: {', '.join(DISCLOSABLE_FIELDS)})"
        )
    if fields and max_disclosure != "fields":
        raise InvalidInput("fields may only be named with max_disclosure=fields")
    return lists, norm, sorted(set(fields))


def validate_hash_labels(labels: list[str] | None, lists: list[str]) -> list[str] | None:
    """Check and normalise the hash labels an agreement lets out (taxonomy names or their common
    spellings, e.g. GIFCT's long names); only with a hash bank (``hashes:<BANK>``) in its lists."""
    if labels is None:
        return None
    out = set()
    for text in labels:
        try:
            out.add(Label.parse(text).value)
        except HashFormatError as exc:
            raise InvalidInput(f"hash_labels: {exc}") from None
    if not any(x.startswith("hashes:") for x in lists):
        raise InvalidInput("hash labels are named only with a hash bank ('hashes:<BANK>') in lists")
    return sorted(out)


def validate_biometrics(biometrics: list[str]) -> list[str]:
    """Check and normalise the biometric modalities an agreement opens to template probes."""
    bio = sorted({b.strip().casefold() for b in biometrics if b.strip()})
    bad = [b for b in bio if b not in BIOMETRIC_MODALITIES]
    if bad:
        raise InvalidInput(
            f"biometric modalities unknown: {', '.join(bad)} "
            f"(allowed: {', '.join(BIOMETRIC_MODALITIES)})"
        )
    return bio
