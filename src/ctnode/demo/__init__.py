"""Fictional demo data shipped with ctnode (used by ``ctnode up`` when the UN list is unreachable).

``demo-un-sc.xml`` is a small, clearly fictional list in the official UN SC XML
format: 11 persons and 5 organisations with Arabic-script, Persian, Pashto,
Cyrillic and Chinese names, aliases of every quality, and exact, year-only,
approximate and ranged dates of birth. It is not a real sanctions list.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

DEMO_UN_SC_NAME = "demo-un-sc.xml"


def demo_un_sc_bytes() -> bytes:
    """The demo list's XML (works from a wheel or a zip too)."""
    return files(__name__).joinpath(DEMO_UN_SC_NAME).read_bytes()


def demo_un_sc_path() -> Path:
    """A file path to the demo list (the package folder in a normal install)."""
    with as_file(files(__name__).joinpath(DEMO_UN_SC_NAME)) as path:
        return Path(path)
