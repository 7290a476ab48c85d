"""Interop formats: read and write banks the way HMA, ThreatExchange and STIX consumers do.

- ``hma``: HMA 2.x (OpenMediaMatch) bank config + bank content JSON; HMA 1.x ``.te`` data files.
- ``te``: the ``threatexchange`` CLI's signal file, ``simple.<TYPE>.te`` state files, dataset CSV.
- ``stix``: STIX 2.1 indicators / observed-data with file hashes and TLP 2.0 markings.

Every reader is all-or-nothing and names the file, line (or JSON path) and field of the
first problem; rows a format carries but we do not bank (negative opinions, vPDQ in
formats without it) are listed in ``ImportResult.skipped``. Tested versions: see
docs/hashes.md.
"""

from ctnode.hashes.formats import hma, stix, te
from ctnode.hashes.formats.common import ImportResult, record_id_for

__all__ = ["ImportResult", "hma", "record_id_for", "stix", "te"]
