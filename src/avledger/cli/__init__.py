"""The command line: every action of the TUI, scriptable.

``avledger`` alone opens the TUI. The root group knows in which module each command lives and imports it
only when the command runs or help lists it, so that ``--version`` is instant; Textual is imported only
by the TUI.

Exit status (:mod:`avledger.errors`): 0 done, 1 a check found a problem, 2 refused input (the reason on
stderr, nothing changed), 3 an unexpected error (one line; the traceback in the log file), 4 partly
done, 130 interrupted. ``--json`` prints JSON only, the same in every language; a refusal too, as
``{"error": {"code", "field", "message"}}``.
"""

from __future__ import annotations

import sys

import click

from avledger import __version__
from avledger.clicklocale import install as install_click_locale
from avledger.errors import UserError
from avledger.frozen import version_text
from avledger.fsutil import restrict_umask
from avledger.home import Home, resolve_home
from avledger.i18n import LANGUAGES, set_language
from avledger.identity import Identity
from avledger.progress import Cancelled

from . import failures
from .groups import LazyGroup

# Each command, and the module:attribute that defines it (imported when the command runs).
COMMANDS = {
    "init": "setup:init",
    "demo": "setup:demo",
    "language": "setup:language",
    "dept": "dept:dept",
    "allocation": "dept:allocation",
    "staff": "staff:staff",
    "device": "device:device",
    "loan": "loan:loan",
    "profile": "profile:profile",
    "audit": "audit:audit",
    "activity": "activity:activity",
    "ingest": "footage:ingest",
    "footage": "footage:footage",
    "verify": "footage:verify",
    "cards": "footage:cards",
    "gaps": "gaps:gaps",
    "gap": "gaps:gap",
    "norecord": "gaps:norecord",
    "disc": "disc:disc",
    "access": "access:access",
    "evidence": "access:evidence",
    "todo": "todo:todo",
    "whoami": "keys:whoami",
    "ssh": "keys:ssh",
    "ssh-serve": "serve:ssh_serve",
    "print": "printing:print_register",
    "export": "printing:export_register",
    "checklist": "checklist:checklist",
    "stats": "stats:stats",
    "spotcheck": "supervision:spotcheck",
    "violation": "supervision:violation",
    "retention": "retention:retention",
    "hold": "retention:hold",
    "dispose": "retention:dispose",
}


def print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the version, and the build date of a frozen program (:mod:`avledger.frozen`)."""
    if value and not ctx.resilient_parsing:
        click.echo(version_text(__version__))
        ctx.exit()


class RootGroup(LazyGroup):
    """The root group: it answers every refusal and every failure of a command, once."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own: usage errors exit 2 with click's message
        except UserError as exc:
            failures.refuse(ctx, exc)
        except Cancelled:
            failures.stopped(ctx)
        except KeyboardInterrupt:
            failures.interrupted(ctx)
        except BrokenPipeError:
            failures.reader_gone(ctx)
        except Exception as exc:
            failures.unexpected(ctx, exc)


@click.group(
    cls=RootGroup,
    lazy_commands={name: f"{__name__}.{where}" for name, where in COMMANDS.items()},
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=print_version, help="显示版本号并退出。"
)
@click.option(
    "--home", "home_option", metavar="DIR", help="数据目录（默认：环境变量 AVLEDGER_HOME，或本机用户的数据目录）"
)
@click.option("--lang", type=click.Choice(LANGUAGES), help="界面语言：zh 中文，en English")
@click.pass_context
def cli(ctx: click.Context, home_option: str | None, lang: str | None) -> None:
    """avledger：行政执法音像记录管理。不带命令时打开界面。"""
    home = resolve_home(home_option)
    ctx.obj = home
    choose_language(home, lang)
    if ctx.invoked_subcommand is None:
        # The only import inside a function: Textual is loaded for the TUI alone.
        from avledger.tui import run_tui

        sys.exit(run_tui(home, Identity.of_process()))


def choose_language(home: Home, lang: str | None) -> None:
    """--lang, else the data folder's setting, else Chinese; click's own texts follow."""
    chosen = lang
    if chosen is None:
        try:
            chosen = home.language()
        except Exception:  # a broken config.toml must not stop the program
            chosen = None
    set_language(chosen if chosen in LANGUAGES else "zh")
    install_click_locale()


def _language_before_parsing(args: list[str]) -> None:
    """Choose the language before click parses, so that ``--help`` and usage errors are in it.

    Only the options before the command name are read: ``--lang`` and ``--home``.
    """
    lang = home_option = None
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, eq, value = args[i].partition("=")
        if name in ("--lang", "--home"):
            if not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            if name == "--lang":
                lang = value if value in LANGUAGES else None
            else:
                home_option = value or None
        i += 1
    try:
        home = resolve_home(home_option)
    except Exception:
        set_language(lang or "zh")
        return
    choose_language(home, lang)


def main() -> None:
    restrict_umask()  # nothing avledger or a library writes is readable by other accounts
    _language_before_parsing(sys.argv[1:])
    cli(prog_name="avledger")
