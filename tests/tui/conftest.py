"""TUI tests: the real app over a real SQLite file, driven through Pilot."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from avledger.i18n import language

# Textual builds BINDINGS when the classes are created: the TUI modules must be
# imported in Chinese here (the English run happens in a subprocess).
assert language() == "zh", "the TUI tests expect the TUI modules to be imported in Chinese"

from avledger.home import Home  # noqa: E402
from avledger.identity import Identity  # noqa: E402
from avledger.services import Services  # noqa: E402
from avledger.services.demo import populate  # noqa: E402
from avledger.tui.app import make_app  # noqa: E402

SIZE = (100, 36)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests in a fresh event loop (no asyncio plugin needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "data")


@pytest.fixture
def demo(home: Home):
    services = Services(home, Identity.console("tester"))
    with services.ctx.change():
        populate(services)
    yield services
    services.close()


@pytest.fixture
def demo_app(demo):
    return make_app(demo.home, services=demo)


async def type_text(pilot, text: str) -> None:
    """Type text key by key, as a person would."""
    await pilot.press(*text)
    await pilot.pause()


async def choose(pilot, select_id: str, label: str) -> None:
    """Pick the option of a Select whose label starts with ``label``, with the keyboard."""
    from textual.widgets import Select

    app = pilot.app
    select = app.screen.query_one(f"#{select_id}", Select)
    select.focus()
    await pilot.pause()
    labels = [str(prompt) for prompt, _value in select._options]
    target = next(i for i, text in enumerate(labels) if text.startswith(label))
    current = next((i for i, (_p, v) in enumerate(select._options) if v == select.value), 0)
    await pilot.press("enter")
    await pilot.pause()
    for _i in range(abs(target - current)):
        await pilot.press("down" if target > current else "up")
    await pilot.press("enter")
    await pilot.pause()


def text_of(widget) -> str:
    """What a Static shows, as plain text (Rich renderables rendered wide, so nothing wraps)."""
    import io

    from rich.console import Console
    from textual.content import Content

    content = widget.content
    if isinstance(content, (str, Content)):
        return str(content)
    console = Console(width=300, file=io.StringIO(), record=True, color_system=None)
    console.print(content)
    return console.export_text()


def refusal_beside(screen, field: str) -> str:
    """The refusal shown beside a form's field ("" when none)."""
    from avledger.tui.widgets import FormRow

    row = screen.query_one(f"#row-{field}", FormRow)
    return text_of(row.query_one(".form-error")) if row.has_class("-invalid") else ""


def refusals(screen) -> str:
    """Every refusal a form shows, beside its fields or under them."""
    from avledger.tui.widgets import FormRow

    texts = [text_of(row.query_one(".form-error")) for row in screen.query(FormRow) if row.has_class("-invalid")]
    texts.append(text_of(screen.query_one("#form-error")))
    return "\n".join(t for t in texts if t)


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (wide characters counted once)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
