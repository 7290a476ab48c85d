"""ANSI/NIST-ITL transactions (NIST SP 500-290): read and write, no I/O beyond bytes.

The package has three parts: ``records`` (the strict parser of the layout:
lengths, separators, CNT), ``reading`` (records become samples, under budgets)
and ``writing`` (an export transaction).

The parser is strict on structure (every length, separator and CNT entry is
checked) and names the record and field of every problem. Interpretation
(``samples`` / ``read``) turns records into biometric samples and a note for
every record it does not keep: records of types this node does not keep
(palms, iris, signatures, ...) and prints in an encoding no library here
decodes (lossless JPEG, ``JPEGL``) are skipped with the reason, so a valid
transaction always yields what the node can keep; a supported record whose
image is damaged refuses the whole transaction.

Budgets (a transaction is refused, ``ansi_nist_too_large``, HTTP 413, before
the pixels are decoded): at most ``max_records`` records, and at most
``max_total_pixels`` decoded pixels over all its images (each image also
stays under the per-image ``max_pixels``). A few megabytes of compressed
images can otherwise decode to gigabytes.
"""

from ctnode.biometrics.ansi_nist.reading import (
    Budget,
    Reading,
    Sample,
    SampleKind,
    Skipped,
    read,
    samples,
)
from ctnode.biometrics.ansi_nist.records import (
    BINARY_TYPES,
    COLOUR_SPACES,
    IMPRESSION_UNKNOWN,
    MARK_TYPES,
    MAX_RECORDS,
    MAX_TOTAL_PIXELS,
    SUPPORTED_TYPES,
    TYPE_NAMES,
    Record,
    Transaction,
    Value,
    parse,
)
from ctnode.biometrics.ansi_nist.writing import OutImage, write

__all__ = [
    "BINARY_TYPES",
    "COLOUR_SPACES",
    "IMPRESSION_UNKNOWN",
    "MARK_TYPES",
    "MAX_RECORDS",
    "MAX_TOTAL_PIXELS",
    "SUPPORTED_TYPES",
    "TYPE_NAMES",
    "Budget",
    "OutImage",
    "Reading",
    "Record",
    "Sample",
    "SampleKind",
    "Skipped",
    "Transaction",
    "Value",
    "parse",
    "read",
    "samples",
    "write",
]
