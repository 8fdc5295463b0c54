"""The click classes of avledger's commands: help in the user's language, subcommands loaded by name.

Command and option help texts are Chinese message ids in the source (``scripts/messages.py`` extracts
them); they are translated while help is printed. A help text may hold ``{choices}``: the ids of the
vocabulary the option takes (:class:`VocabOption`), listed from the vocabulary itself.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Mapping

import click

from avledger.i18n import _

JSON_KEY = "avledger.json"  # ctx.meta: the invoked command was asked for --json


class VocabOption(click.Option):
    """An option that takes an id of a vocabulary which a service checks (a profile may allow only some).

    Not a ``click.Choice``: the service's refusal says which ids the office allows. The help lists the
    vocabulary's ids in place of ``{choices}``.
    """

    def __init__(self, *args, vocab: Mapping[str, str] | tuple[str, ...], **kwargs):
        self.vocab = tuple(vocab)
        super().__init__(*args, **kwargs)


def _help_text(obj: object, value: str) -> str:
    text = _(value)
    if "{choices}" in text:
        text = text.replace("{choices}", " ".join(getattr(obj, "vocab", ())))
    return text


@contextlib.contextmanager
def _translated(command: click.Command) -> Iterator[None]:
    """The command's help texts in the user's language, while printed."""
    saved = [(command, "help", command.help), (command, "short_help", command.short_help)]
    saved += [(param, "help", getattr(param, "help", None)) for param in command.params]
    try:
        for obj, attr, value in saved:
            if value:
                setattr(obj, attr, _help_text(obj, value))
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


class Command(click.Command):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)

    def invoke(self, ctx: click.Context):
        # The root group answers a refusal in JSON too when the command was asked for JSON.
        ctx.meta[JSON_KEY] = bool(ctx.params.get("as_json"))
        return super().invoke(ctx)


class Group(click.Group):
    command_class = Command
    group_class = type  # subgroups are of this class too

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)


class LazyGroup(Group):
    """A group that knows where each subcommand lives (``name -> "module:attribute"``) and imports the
    module only when the command is invoked or help lists it (click's documented lazy-loading pattern)."""

    def __init__(self, *args, lazy_commands: Mapping[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy_commands[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attribute} is not a click command")
        return command


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="输出 JSON")(func)
