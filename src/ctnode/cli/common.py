"""What every CLI command shares: the node, the local operator, errors, progress bars, output.

The options every command spells the same (purpose, legal basis, case) are in
``ctnode.cli.options``.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer._click.core import (
    Context as ClickContext,  # Typer vendors click; its groups take this type
)
from typer.core import TyperGroup

from ctnode.errors import CTNodeError, InvalidInput, TooLarge
from ctnode.model.access import Actor
from ctnode.model.screening import Hit
from ctnode.node import Node
from ctnode.services.access import local_actor
from ctnode.settings import Settings

console = Console(stderr=True)
out = Console()
P = ParamSpec("P")
R = TypeVar("R")


def make_node() -> Node:
    try:
        node = Node(Settings())
    except ValueError as exc:  # settings refused (pydantic ValidationError is a ValueError)
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None
    # the one line said when the name index must be rebuilt (always), or is first built in
    # this data folder (to a person at a terminal; a script's output stays as it was)
    node.index.announce = lambda message: console.print(f"[yellow]{message}[/yellow]")
    if sys.stderr.isatty():
        node.index.inform = node.index.announce
    return node


def operator() -> Actor:
    return local_actor()


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print ctnode's typed errors as one clear line and exit non-zero (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CTNodeError as exc:
            console.print(f"[red]error ({exc.code}):[/red] {exc.message}")
            raise typer.Exit(1) from None

    return wrapper


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr; yields ``update(done, total)``."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _done, _total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def print_json(value: Any) -> None:
    out.print_json(json.dumps(value, default=str, ensure_ascii=False))


def print_lines(lines: Iterable[str], empty: str | None = None) -> None:
    """Print each line as it is (no markup); ``empty`` when there was none."""
    printed = False
    for line in lines:
        out.print(line, markup=False)
        printed = True
    if not printed and empty:
        out.print(empty)


def read_file(path: Path, limit: int) -> bytes:
    """A file's bytes, refused when missing or larger than ``limit``."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if path.stat().st_size > limit:
        raise TooLarge(f"{path} is larger than the limit of {limit} bytes")
    return path.read_bytes()


@contextmanager
def node_session() -> Iterator[Node]:
    """A node for one command, closed afterwards."""
    node = make_node()
    try:
        yield node
    finally:
        node.close()


def print_hits(hits: list[Hit], title: str) -> None:
    if not hits:
        out.print(f"{title}: [green]no hit[/green] at or above the reporting threshold")
        return
    table = Table(title=title, show_lines=True)
    for col in ("#", "list / ref", "matched name", "score", "band", "why"):
        table.add_column(col)
    for i, hit in enumerate(hits, 1):
        why = hit.why("\n")
        band = {"match": "[bold red]match[/]", "possible": "[yellow]possible[/]"}.get(
            hit.band, hit.band
        )
        ref = f"{hit.dataset} {hit.reference or ''}".strip()
        if hit.status != "listed":
            ref += f"\n({hit.status})"
        table.add_row(
            str(i),
            ref,
            f"{hit.matched_name}\n[dim]{hit.entity_id}[/dim]",
            f"{hit.score:.3f}",
            band,
            why,
        )
    out.print(table)


class DefaultGroup(TyperGroup):
    """A group that runs its default subcommand when the first word is not a subcommand.

    Lets ``ctnode screen "NAME"`` and ``ctnode screen manifest FILE`` live side by side.
    """

    default_command = "name"

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in {"--help", "-h"}):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)
