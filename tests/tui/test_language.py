"""The TUI in Chinese and in English, Textual's own texts included.

The language must be installed before the TUI modules are imported, so each
language runs in its own process (``lang_probe.py``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from avledger.home import Home
from avledger.tui.screens.settings import LanguageScreen

from .conftest import SIZE

PROBE = Path(__file__).with_name("lang_probe.py")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# What Textual itself would show (textual 8: App.BINDINGS, get_system_commands, CommandPalette, Select).
TEXTUAL_ENGLISH = {
    "Quit",
    "Keys",
    "Theme",
    "Screenshot",
    "Maximize",
    "Minimize",
    "palette",
    "Select",
    "Search for commands…",
    "Dismiss menu",
    "Exit the command palette",
}


def run_probe(lang: str, tmp_path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, str(PROBE), lang, str(tmp_path / f"data-{lang}")], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def all_texts(out: dict) -> list[str]:
    texts: list[str] = []
    for value in out.values():
        texts.extend(value if isinstance(value, list) else [value])
    return texts


def test_chinese_replaces_textual_english(tmp_path):
    out = run_probe("zh", tmp_path)
    assert out["quit"] == ["退出"]
    assert out["palette_binding"] == ["命令"]
    assert out["palette_placeholder"] == "搜索命令…"
    assert out["select_prompts"] == ["请选择"]
    assert {"首页", "设备台账", "人员", "科室与配备", "办公室配置", "审计日志", "主题", "截图", "退出"} <= set(
        out["commands"]
    )
    leftovers = [t for t in all_texts(out) if t in TEXTUAL_ENGLISH]
    assert leftovers == []
    # Every command and footer text is Chinese.
    assert all(CJK.search(t) for t in out["commands"] + out["home_footer"] + out["devices_footer"])


def test_english_mode(tmp_path):
    from avledger.i18n import catalog
    from avledger.tui.sections import SECTIONS

    en = catalog("en")
    out = run_probe("en", tmp_path)
    untranslated = [t for t in all_texts(out) if CJK.search(t)]
    assert untranslated == [], "Chinese left in English mode (missing from locales/en.toml?)"
    assert out["quit"] == [en["退出"]]
    assert out["palette_binding"] == [en["命令"]]
    assert out["palette_placeholder"] == en["搜索命令…"]
    assert out["select_prompts"] == [en["请选择"]]
    assert {en[s.label] for s in SECTIONS} | {en["主题"], en["截图"], en["按键帮助"]} <= set(out["commands"])
    assert en["资产编号"] in out["form_labels"]
    assert out["cut_at_80"] == []  # the columns that matter show whole at 80×24 in English too


async def test_language_setting_applies_on_restart(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")  # on the home screen
        await pilot.pause()
        assert isinstance(demo_app.screen, LanguageScreen)
        english = next(b for b in demo_app.screen.query("RadioButton") if b.name == "en")
        await pilot.click(english)
        await pilot.click("#save")
        await pilot.pause()
        assert not isinstance(demo_app.screen, LanguageScreen)
        notes = [n.message for n in demo_app._notifications]
        assert any("重新启动" in m for m in notes)
    assert Home(demo.home.path).language() == "en"
    # The running app keeps its language.
    from avledger.i18n import language

    assert language() == "zh"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_lang_option_reaches_the_tui(lang, tmp_path):
    """``avledger --lang en`` installs the language before the TUI modules are imported."""
    script = (
        "import sys\n"
        "from avledger.cli import cli\n"
        "import avledger.tui as tui\n"
        "def fake(home, identity):\n"
        "    from avledger.tui.app import AvledgerApp\n"
        "    binding = next(b for b in AvledgerApp.BINDINGS if b.action == 'quit')\n"
        "    print('QUIT=' + binding.description)\n"
        "    return 0\n"
        "tui.run_tui = fake\n"
        "cli(args=sys.argv[1:], prog_name='avledger')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "--home", str(tmp_path), "--lang", lang],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"QUIT={'退出' if lang == 'zh' else 'Quit'}" in proc.stdout, proc.stderr
