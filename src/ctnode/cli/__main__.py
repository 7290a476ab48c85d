"""``python -m ctnode.cli``: the same as the ``ctnode`` command."""

from ctnode.cli.main import run

run()
