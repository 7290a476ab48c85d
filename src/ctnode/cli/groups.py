"""The top command group of ``ctnode``: typed errors as one line, and command groups
imported only when they are used.

A name screen should not pay for importing the threat-intelligence, content-hash and
biometric command modules (STIX's object model alone takes a third of a second). So the
top group knows each command by name and the module that holds it, and imports that
module when the command is looked up: running a command loads its own module,
``ctnode --help`` loads them all to show their help.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer._click.core import Command as ClickCommand
from typer._click.core import Context as ClickContext
from typer.core import TyperGroup

from ctnode.errors import CTNodeError


class Loading:
    """What a ``ctnode`` process does about Python's cyclic garbage collector while a
    command's module is imported: set ``active`` by ``ctnode.cli.main.run`` (the console
    command), left off elsewhere (tests run many commands in one process).

    Importing a command's module (SQLAlchemy, pydantic, numpy, rigour, the node's services)
    makes some 400,000 objects that live as long as the process: with the collector on, it
    goes over them again and again as they pile up (0.05-0.1 s of CPU in a payments or
    name screen). So, when active, the collector is off while a command's module is
    imported, and what exists then is moved out of its view (``gc.freeze``: such objects are
    still freed when no longer referenced, but a cycle among them is never collected); it is
    on again for the command itself.
    """

    active: ClassVar[bool] = False

    @classmethod
    @contextmanager
    def unwatched(cls) -> Iterator[None]:
        if not (cls.active and gc.isenabled()):
            yield
            return
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            gc.enable()


class ErrorLines(TyperGroup):
    """A typed error any command (or group callback) below this group raises is printed as
    one clear line, ``error (code): message``, and the exit status is 1; no traceback. Each
    command is therefore written without error handling of its own."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except CTNodeError as exc:
            from ctnode.cli.common import error_line

            error_line(f"error ({exc.code})", exc.message)
            raise typer.Exit(1) from None


@dataclass(frozen=True)
class Lazy:
    """Where a command lives: ``attribute`` of ``ctnode.cli.<module>``, a function (one
    command) or a ``typer.Typer`` (a group). ``load`` instead names a function that returns
    the group after adding commands of other modules to it (``screen manifest``)."""

    module: str = ""
    attribute: str = ""
    hidden: bool = False
    load: Callable[[], Any] | None = None

    def command(self, name: str) -> ClickCommand:
        with Loading.unwatched():
            if self.load is not None:
                target = self.load()
            else:
                module = importlib.import_module(f"ctnode.cli.{self.module}")
                target = getattr(module, self.attribute)
        holder = typer.Typer()
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name, hidden=self.hidden)
        else:
            holder.command(name, hidden=self.hidden)(target)
        command = typer.main.get_group(holder).commands[name]
        return command


class LazyCommands(ErrorLines):
    """``ErrorLines`` whose commands are imported by name when first looked up (the table
    is ``commands_table``, set by ``ctnode.cli.main``)."""

    commands_table: ClassVar[dict[str, Lazy]] = {}

    def list_commands(self, ctx: ClickContext) -> list[str]:
        listed = list(super().list_commands(ctx))
        return listed + [name for name in self.commands_table if name not in listed]

    def get_command(self, ctx: ClickContext, cmd_name: str) -> ClickCommand | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.commands_table:
            command = self.commands_table[cmd_name].command(cmd_name)
            self.add_command(command, cmd_name)
        return command


class DefaultGroup(LazyCommands):
    """A group that runs its default subcommand when the first word is not a subcommand.

    Lets ``ctnode screen "NAME"`` and ``ctnode screen manifest FILE`` live side by side.
    """

    default_command = "name"

    def format_help(self, ctx: ClickContext, formatter: Any) -> None:
        """The group's help (its subcommands), then the default command's own usage and
        options, so ``ctnode screen --help`` shows every option of ``ctnode screen NAME``."""
        super().format_help(ctx, formatter)
        command = self.commands.get(self.default_command)
        if command is not None:
            own = ClickContext(command, info_name=ctx.info_name, parent=ctx.parent)
            command.format_help(own, formatter)

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        known = args and (args[0] in self.commands or args[0] in self.commands_table)
        if not known and (not args or args[0] not in {"--help", "-h"}):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)
