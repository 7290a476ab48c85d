"""Interop formats: read and write banks the way HMA, ThreatExchange and STIX consumers do.

- ``hma``: HMA 2.x (OpenMediaMatch) bank config + bank content JSON; HMA 1.x ``.te`` data files.
- ``te``: the ``threatexchange`` CLI's signal file, ``simple.<TYPE>.te`` state files, dataset CSV.
- ``stix``: STIX 2.1 indicators / observed-data with file hashes and TLP 2.0 markings.

Every reader is all-or-nothing and names the file, line (or JSON path) and field of the
first problem; rows a format carries but we do not bank (negative opinions, vPDQ in
formats without it) are listed in ``ImportResult.skipped``. Tested versions: see
docs/hashes.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ctnode.hashes.formats.common import ImportResult, record_id_for

if TYPE_CHECKING:
    from ctnode.hashes.formats import hma, stix, te

__all__ = ["ImportResult", "hma", "record_id_for", "stix", "te"]


def __getattr__(name: str) -> Any:
    """``hma``, ``stix`` and ``te`` on first use: they load threatexchange and stix2, which
    a server or a command that reads no hash file should not pay for at start."""
    if name in ("hma", "stix", "te"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
