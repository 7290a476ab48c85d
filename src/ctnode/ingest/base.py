"""What every list parser shares: the progress callback and whitespace clean-up.

A parser reads one source (UN XML, FtM JSON lines, a mapped CSV) and returns a
:class:`ctnode.model.lists.ParsedList`. It either returns a complete list or raises
:class:`ctnode.errors.ImportFailed` naming the file and the element, line or field at
fault. Oddities that do not make the list unusable (an unknown country name, an
unparseable date note) go into ``ParsedList.warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Called with (bytes read so far, total bytes or 0 when unknown).
Progress = Callable[[int, int], None]

_SPACES = re.compile(r"\s+")


def collapse(text: str | None) -> str:
    """Trim and collapse runs of whitespace (including newlines) to one space."""
    if not text:
        return ""
    if text.isascii() and "  " not in text and "\n" not in text and "\t" not in text \
            and "\r" not in text:
        return text.strip()  # the common case, without the regex
    return _SPACES.sub(" ", text).strip()
