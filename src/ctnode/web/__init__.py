"""The analyst console: server-rendered pages for people, beside the API (``api/``) and the
command line (``cli/``), over the same services.

``install(app, node)`` adds the console to an app (``ctnode.server`` does, for ``ctnode
serve``); ``SESSION_PATHS`` are the paths it authenticates itself, with a signed-in
person's session cookie instead of an API key; ``UPLOAD_PATHS`` are its file forms (bounded
by ``console_max_upload_bytes``). See ``docs/console.md``.
"""

from __future__ import annotations

from ctnode.web.app import SESSION_PATHS, UPLOAD_PATHS
from ctnode.web.mount import install

__all__ = ["SESSION_PATHS", "UPLOAD_PATHS", "install"]
