"""Setting up: the register (``init``), the sample office (``demo``) and this PC's language."""

from __future__ import annotations

import click

from avledger.errors import UserError
from avledger.i18n import LANGUAGES, _, set_language
from avledger.identity import admit
from avledger.profile import PRESETS, load_preset
from avledger.services.demo import UNIT, populate

from .groups import Command, VocabOption
from .state import home, identity, services


@click.command(cls=Command)
@click.option("--unit", required=True, help="单位名称")
@click.option("--profile", "preset", required=True, cls=VocabOption, vocab=PRESETS, help="预设：{choices}")
def init(unit: str, preset: str) -> None:
    """初始化登记库（单位名称与办公室配置）。"""
    folder = home()
    admit(folder, identity())
    load_preset(preset)  # refuse an unknown preset before creating anything
    if folder.initialised:
        raise UserError(
            "office.already_initialised",
            "登记库已经初始化（{unit}），不能再次初始化",
            unit=services().office.unit(),
        )
    services(need_init=False).office.init(unit, preset)
    click.echo(_("已初始化：{unit}（{preset}），数据目录 {path}").format(unit=unit, preset=preset, path=folder.path))


@click.command(cls=Command)
def demo() -> None:
    """在空数据目录中建立示例办公室。"""
    folder = home()
    admit(folder, identity())
    if folder.initialised:
        raise UserError(
            "office.already_initialised",
            "数据目录 {path} 中已有登记库，示例办公室只能建在空的数据目录中",
            path=str(folder.path),
        )
    opened = services(need_init=False)
    try:
        with opened.ctx.change():
            populate(opened)
    except BaseException:
        opened.close()
        for suffix in ("", "-wal", "-shm"):
            folder.db_path.with_name(folder.db_path.name + suffix).unlink(missing_ok=True)
        raise
    click.echo(_("已建立示例办公室：{unit}，数据目录 {path}").format(unit=UNIT, path=folder.path))


@click.command(cls=Command)
@click.argument("lang", type=click.Choice(LANGUAGES))
def language(lang: str) -> None:
    """设置本机界面语言（zh 或 en）。"""
    admit(home(), identity())  # config.toml is the owner's
    home().set_language(lang)
    set_language(lang)
    click.echo(_("界面语言已设为：{lang}").format(lang=lang))
