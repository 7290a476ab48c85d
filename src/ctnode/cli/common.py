"""What every CLI command shares: the node, the local operator, errors, progress bars, output.

The options every command spells the same (purpose, legal basis, case) are in
``ctnode.cli.options``.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TextIO, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ctnode.errors import CTNodeError, InvalidInput, TooLarge
from ctnode.model.access import Actor
from ctnode.model.screening import Coverage, Hit
from ctnode.node import Node
from ctnode.services.access import local_actor
from ctnode.settings import Settings

# Messages on stderr are one line each whatever the terminal (soft_wrap: rich never inserts a
# line break; a piped stderr would otherwise be cut at 80 columns).
console = Console(stderr=True, soft_wrap=True)
out = Console()


def follow_terminal_width() -> None:
    """Rich reads ``COLUMNS`` once, when a console is made. A process that runs several
    commands (a test's ``CliRunner``, an embedding script) reads it again for each command, so
    a table is as wide as that command's terminal, not the first one's."""
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else None
    for each in (console, out):
        each._width = width  # None: rich asks the terminal, as a console made now would


P = ParamSpec("P")
R = TypeVar("R")


def error_line(label: str, message: str) -> None:
    """One line on stderr: ``label: message``, the message's own line breaks made spaces and
    its brackets shown as they are (never read as markup)."""
    text = " ".join(str(message).split())
    console.print(f"[red]{escape(label)}:[/red] {escape(text)}", soft_wrap=True, highlight=False)


def settings_error(exc: ValueError) -> str:
    """A refused setting as one sentence (pydantic lists each error on lines of its own)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = []
        for err in errors():
            where = ".".join(str(x) for x in err.get("loc", ()))
            parts.append(f"{where}: {err.get('msg', '')}" if where else str(err.get("msg", "")))
        return "; ".join(parts)
    return str(exc)


def missing_store(settings: Settings) -> str | None:
    """Where the node's SQLite store was looked for, when it is not there (None: it is, or the
    store is a configured server database)."""
    if not settings.is_sqlite or ":///" not in settings.store_url:
        return None
    path = settings.store_url.split(":///", 1)[1].split("?", 1)[0]
    if not path or path == ":memory:" or Path(path).exists():
        return None
    return path


def make_node(*, create: bool = False) -> Node:
    """The node of this folder. Only commands that set a node up (``up``, ``serve``, ``db``,
    ``import``, ``init``) may ``create`` a store; every other one refuses to run where there
    is none, rather than answer from a new empty store ("no hit" for everyone)."""
    try:
        settings = Settings()
    except ValueError as exc:  # settings refused (pydantic ValidationError is a ValueError)
        error_line("configuration error", settings_error(exc))
        raise typer.Exit(2) from None
    if not create and (where := missing_store(settings)):
        console.print(
            f"[red]error (no_store):[/red] no node data here (looked in {where}); set "
            "CTNODE_DATA_DIR to the node's data folder (or CTNODE_DATABASE_URL), or set up a "
            "node with `ctnode up` or `ctnode import`", soft_wrap=True)
        raise typer.Exit(1)
    node = Node(settings)
    # the one line said when the name index must be rebuilt (always), or is first built in
    # this data folder (to a person at a terminal; a script's output stays as it was)
    node.index.announce = lambda message: console.print(f"[yellow]{message}[/yellow]")
    if sys.stderr.isatty():
        node.index.inform = node.index.announce
    return node


def operator() -> Actor:
    return local_actor()


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print ctnode's typed errors as one clear line and exit non-zero (no traceback).

    Every command of ``ctnode`` has this already (``ErrorLines``, the top group); it is for
    code run outside the command line's groups."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CTNodeError as exc:
            error_line(f"error ({exc.code})", exc.message)
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
    """``value`` as JSON on stdout, written as it is: valid JSON whatever the terminal width
    and whether stdout is piped (no wrapping, no markup, no emoji codes)."""
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def check_output(path: Path, *inputs: Path) -> Path:
    """Refuse, before any work is done, an output file that is one of the inputs, a folder,
    or in a folder that is missing or cannot be written."""
    for source in inputs:
        if _same_file(path, source):
            raise InvalidInput(f"{path}: the output would overwrite the input {source}; "
                               "give another output file")
    if path.is_dir():
        raise InvalidInput(f"{path}: is a folder; give a file name for the output")
    folder = path.absolute().parent
    if not folder.exists():
        raise InvalidInput(f"{path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InvalidInput(f"{path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists()
                                                      and not os.access(path, os.W_OK)):
        raise InvalidInput(f"{path}: cannot write here (permission denied)")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.absolute() == b.absolute() or a.resolve() == b.resolve()


def write_output(path: Path, data: str | bytes) -> None:
    """Write a whole output file; an operating-system refusal becomes one clear error."""
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write ({exc.strerror or exc})") from None


def open_output(path: Path) -> Any:
    """Open an output file for writing text; an operating-system refusal is a clear error."""
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write ({exc.strerror or exc})") from None


@contextmanager
def writing(output: Path | None, *inputs: Path) -> Iterator[TextIO]:
    """Where a command writes its lines: the file ``output`` (checked like ``check_output``
    before anything is written, closed after), or standard output when there is none."""
    if output is None:
        yield sys.stdout
        return
    with open_output(check_output(output, *inputs)) as fh:
        yield fh


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
def node_session(*, create: bool = False) -> Iterator[Node]:
    """A node for one command, closed afterwards (``create``: as ``make_node``)."""
    node = make_node(create=create)
    try:
        yield node
    finally:
        node.close()


def suppression_text(hit: Hit) -> str:
    """How a suppressed hit is marked for a person."""
    s = hit.suppressed
    if s is None:
        return ""
    return (f"SUPPRESSED by false-positive decision {s.decision_id} of {s.by} ({s.at[:10]}"
            + (f", until {s.expires[:10]})" if s.expires else ")"))


def coverage_texts(coverage: Coverage | None) -> list[Text]:
    """Coverage for a person: a loud block when the answer may miss someone, else one dim
    line naming the lists and versions screened."""
    if coverage is None:
        return []
    lists = ", ".join(f"{c.name} {c.version or '(no version)'}" for c in coverage.lists) or "none"
    if coverage.complete:
        return [Text(f"screened against: {lists}", style="dim")]
    text = Text()
    for line in coverage.banner():
        text.append(line + "\n", style="bold red")
    text.append(f"screened against: {lists}", style="red")
    return [text]


def print_coverage(coverage: Coverage | None, to: Console = out) -> None:
    """``coverage_texts`` printed (on standard output unless ``to`` says otherwise)."""
    for text in coverage_texts(coverage):
        to.print(text)


def print_hits(hits: list[Hit], title: str, suppressed: list[Hit] | None = None) -> None:
    """The hits as a table; ``suppressed`` hits are listed after them, each marked."""
    hits = [*hits, *(suppressed or [])]
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
        if hit.suppressed:
            band += f"\n[magenta]{suppression_text(hit)}[/magenta]"
        table.add_row(
            str(i),
            ref,
            f"{hit.matched_name}\n[dim]{hit.entity_id}[/dim]",
            f"{hit.score:.3f}",
            band,
            why,
        )
    out.print(table)
    # the decisions again, one unbroken line each: a narrow table wraps their ids
    for i, hit in enumerate(hits, 1):
        if hit.suppressed:
            out.print(f"#{i} {hit.dataset} {hit.reference or hit.entity_id}: "
                      f"{suppression_text(hit)}", markup=False, soft_wrap=True)

