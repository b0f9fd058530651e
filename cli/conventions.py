"""What makes `altui` a well-kept CLI, in one place: usage errors in one line, flags without a ``<bool>``
placeholder, and options whose choices `--help` lists and the shell completes.

Every Typer app and command of altui is built with :class:`AltuiGroup` / :class:`AltuiCommand`.
"""

from __future__ import annotations

import sys
from enum import Enum

from typer import Abort
from typer.core import TyperCommand, TyperGroup

from altui.cli.common import ClickException, UsageError, stderr
from altui.tui.text import one_line


def choices(name: str, values) -> type[Enum]:
    """An Enum of ``values`` (strings): Typer shows them as ``[a|b|c]`` in --help and completes them."""
    return Enum(name, {value: value for value in values}, type=str)


def value(choice) -> str | None:
    """The string behind a choice (None stays None; lists are mapped)."""
    if choice is None:
        return None
    if isinstance(choice, list):
        return [value(c) for c in choice]
    return choice.value if isinstance(choice, Enum) else choice


def _flags_without_placeholder(params):
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # a flag takes no value: no <bool> in --help
    return params


def _plain_help_when_piped(command, format_help, ctx, formatter):
    """Help drawn with Rich's boxes on a terminal; plain text (click's) into a pipe or a file."""
    if sys.stdout.isatty():
        return format_help(ctx, formatter)
    saved, command.rich_markup_mode = command.rich_markup_mode, None
    try:
        format_help(ctx, formatter)
        # "\[" keeps a bracket literal for Rich's markup; plain text needs no escape
        formatter.buffer[:] = [part.replace("\\[", "[") for part in formatter.buffer]
    finally:
        command.rich_markup_mode = saved


class AltuiCommand(TyperCommand):
    def get_params(self, ctx):
        return _flags_without_placeholder(super().get_params(ctx))

    def format_help(self, ctx, formatter):
        return _plain_help_when_piped(self, super().format_help, ctx, formatter)


class AltuiGroup(TyperGroup):
    """The root group: a usage error (a bad value, an unknown option, a missing argument) is one line on
    stderr naming the problem and where help is, exit 2, never a boxed panel or a traceback."""

    def get_params(self, ctx):
        return _flags_without_placeholder(super().get_params(ctx))

    def format_help(self, ctx, formatter):
        return _plain_help_when_piped(self, super().format_help, ctx, formatter)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # `altui` or `altui rubrix` alone: the help
                exc.show()
                sys.exit(0)
            where = exc.ctx.command_path if exc.ctx is not None else "altui"
            stderr.print("[bold red]error:[/] ", end="")
            stderr.print(one_line(f"{exc.format_message()} (see `{where} --help`)"), markup=False,
                         highlight=False, soft_wrap=True)
            sys.exit(2)
        except ClickException as exc:
            stderr.print("[bold red]error:[/] ", end="")
            stderr.print(one_line(exc.format_message()), markup=False, highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except Abort:
            stderr.print("interrupted", markup=False)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)
