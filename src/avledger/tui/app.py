"""The avledger TUI: one section (a Textual mode) per feature, all through the services.

The language is installed before this module is imported (``BINDINGS`` are
built when the classes are created); a language change applies on restart.
Textual's own English (the Quit binding, the palette and its system
commands, the key panel) is replaced here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import ThemeProvider

from avledger.errors import UserError
from avledger.fsutil import PRIVATE_DIR, make_dirs
from avledger.home import Home, tightened_notice
from avledger.i18n import _
from avledger.identity import Identity
from avledger.tui.palette import AppCommands, Palette
from avledger.tui.sections import SECTION_IDS, SECTIONS

if TYPE_CHECKING:
    from avledger.services import Services
    from avledger.tui.screens.setup import SetupChoice


def _screen_classes() -> dict[str, type[Screen]]:
    from avledger.tui.screens.access import AccessScreen
    from avledger.tui.screens.activities import ActivitiesScreen
    from avledger.tui.screens.audit import AuditScreen
    from avledger.tui.screens.departments import DepartmentsScreen
    from avledger.tui.screens.devices import DevicesScreen
    from avledger.tui.screens.discs import DiscsScreen
    from avledger.tui.screens.footage import FootageScreen
    from avledger.tui.screens.home import HomeScreen
    from avledger.tui.screens.lending import LendingScreen
    from avledger.tui.screens.profile import ProfileScreen
    from avledger.tui.screens.staff import StaffScreen

    return {
        "home": HomeScreen,
        "lending": LendingScreen,
        "activities": ActivitiesScreen,
        "footage": FootageScreen,
        "devices": DevicesScreen,
        "staff": StaffScreen,
        "departments": DepartmentsScreen,
        "profile": ProfileScreen,
        "audit": AuditScreen,
        "access": AccessScreen,
        "discs": DiscsScreen,
    }


class AvledgerApp(App[int]):
    TITLE = "avledger"
    CSS_PATH = ["app.tcss", "registers.tcss", "forms.tcss"]
    COMMANDS = {AppCommands}

    BINDINGS = [
        Binding("ctrl+q", "quit", _("退出"), tooltip=_("退出程序，回到命令行"), priority=True, id="quit"),
        Binding("ctrl+c", "help_quit", show=False, system=True),
        Binding(
            "ctrl+p",
            "command_palette",
            _("命令"),
            priority=True,
            tooltip=_("打开命令面板：可以执行每一项操作"),
            id="command_palette",
        ),
        Binding("f1", "keys", _("帮助"), tooltip=_("本页的按键"), id="keys"),
        Binding("f3", "whoami", _("身份"), tooltip=_("当前以谁的身份操作，以及谁可以做什么（权限表）"), id="whoami"),
    ]

    def __init__(self, home: Home, services: Services | None = None, identity: Identity | None = None) -> None:
        super().__init__()
        self.home = home
        self.services = services
        if identity is None:  # the services' own, else this process's account
            identity = services.ctx.identity if services is not None else Identity.of_process()
        self.identity = identity
        self.owns_services = False
        self._started = False

    # --- start-up --------------------------------------------------------------
    def on_mount(self) -> None:
        try:
            if self.needs_setup():
                self.show_setup()
            else:
                self.start()
        except UserError as exc:  # e.g. a register written by a newer avledger
            self.exit(return_code=2, message=_("错误：{message}").format(message=exc.render()))

    def needs_setup(self) -> bool:
        if self.services is None:
            if not self.home.initialised:
                self.home.check()  # a file, or a folder of other things (/home), is refused before the setup
                return True
            self.services = self.open_services()
        return not self.services.office.initialised

    def open_services(self) -> Services:
        from avledger.services import Services

        self.owns_services = True
        services = Services(self.home, self.identity)
        if services.tightened:
            self.notify(tightened_notice(self.home, services.tightened), timeout=30, markup=False)
        return services

    def show_setup(self, error: str | None = None, initial: SetupChoice | None = None) -> None:
        from avledger.tui.screens.setup import SetupScreen

        self.push_screen(SetupScreen(self.home.path, error=error, initial=initial), self.setup_chosen)

    def setup_chosen(self, choice: SetupChoice | None) -> None:
        if choice is None:
            self.exit(0)
            return
        created_db = self.services is None and not self.home.initialised
        try:
            if self.services is None:
                self.services = self.open_services()
            if choice.demo:
                from avledger.services.demo import populate

                with self.services.ctx.change():
                    populate(self.services)
            else:
                self.services.office.init(choice.unit, choice.preset)
        except UserError as exc:
            self._forget_new_register(created_db)
            self.show_setup(exc.render(), choice)
            return
        except Exception:
            self._forget_new_register(created_db)
            raise
        self.notify(_("已建立登记库：{unit}").format(unit=self.services.office.unit()))
        self.start()

    def _forget_new_register(self, created_db: bool) -> None:
        """Leave the data folder as it was when a register could not be created in it."""
        if not created_db or self.services is None:
            return
        self.services.close()
        self.services = None
        self.owns_services = False
        for suffix in ("", "-wal", "-shm"):
            self.home.db_path.with_name(self.home.db_path.name + suffix).unlink(missing_ok=True)

    def start(self) -> None:
        classes = _screen_classes()
        for section_id in SECTION_IDS:
            if section_id not in self._modes:
                self.add_mode(section_id, partial(classes[section_id], self.services))
        self._started = True
        self.sub_title = self.services.office.unit() + " · " + self.acting_label()
        self.switch_mode("home")

    def on_key(self, event: events.Key) -> None:
        """A key typed for the screen beneath a form that has just opened goes to the form's field.

        A key binding (``o``) runs only once its key has passed through the screen's
        widgets; the keys typed right after it in one burst (a barcode scanner) are
        already on the same way and come here after the form has opened. This runs
        before the bindings are looked up.
        """
        from avledger.tui.forms.base import FormScreen

        if isinstance(self.screen, FormScreen) and not self.screen.typed_here(event):
            self.screen.take_stray_key(event)

    def acting_label(self) -> str:
        """Who is acting, short (the section bar and the sub-title)."""
        from avledger.tui.screens.whoami import who_label

        return who_label(self.services.who.whoami()) if self.services is not None else ""

    def action_whoami(self) -> None:
        from avledger.tui.screens.whoami import WhoScreen

        if self._started and not isinstance(self.screen, WhoScreen):
            self.push_screen(WhoScreen(self.services.who.whoami(), self.services.who.table()))

    def close_services(self) -> None:
        if self.owns_services and self.services is not None:
            self.services.close()

    # --- navigation ------------------------------------------------------------
    def action_section(self, section_id: str) -> None:
        if self._started and section_id in SECTION_IDS:
            self.switch_mode(section_id)

    def run_in_section(self, section_id: str, action: str, *args) -> None:
        """Go to a section and run one of its screen's actions (or methods, given arguments) there."""
        if not self._started:
            return
        self.switch_mode(section_id)
        screen = self._screen_stacks[section_id][0]
        self.call_after_refresh(getattr(screen, action if args else f"action_{action}"), *args)

    def action_spotchecks(self) -> None:
        from avledger.tui.screens.supervision import SupervisionScreen

        if self._started:
            self.push_screen(SupervisionScreen(self.services))

    def action_violations(self) -> None:
        from avledger.tui.screens.violations import ViolationsScreen

        if self._started:
            self.push_screen(ViolationsScreen(self.services))

    def action_add_device(self) -> None:
        self.run_in_section("devices", "add")

    def action_stats(self) -> None:
        from avledger.tui.screens.stats import StatsScreen

        if self._started and not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen(self.services))

    def action_settings(self) -> None:
        from avledger.tui.screens.settings import LanguageScreen

        if self.identity is not None and self.identity.via_ssh:  # a setting of the office PC, not the person's
            self.notify(_("通过 SSH 不能更改本机的界面语言；登录时可用 --lang en"), severity="warning")
            return

        try:
            current = self.home.language()
        except UserError:
            current = None

        def chosen(lang: str | None) -> None:
            if not lang:
                return
            try:
                self.home.set_language(lang)
            except UserError as exc:
                self.notify(exc.render(), severity="error")
                return
            self.notify(
                _("界面语言已设为 {lang}，重新启动程序后生效").format(
                    lang={"zh": "中文", "en": "English"}.get(lang, lang)
                )
            )

        self.push_screen(LanguageScreen(current), chosen)

    def action_keys(self) -> None:
        from avledger.tui.screens.help import KeyHelpScreen

        if not isinstance(self.screen, KeyHelpScreen):
            self.push_screen(KeyHelpScreen(self.screen))

    # --- Textual's own English, replaced ---------------------------------------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette(id="--command-palette"))

    def search_themes(self) -> None:
        self.push_screen(Palette(providers=[ThemeProvider], placeholder=_("搜索主题…")))

    def action_help_quit(self) -> None:
        for active in self.active_bindings.values():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(
                    _("按 {key} 退出程序").format(key=self.get_key_display(active.binding)), title=_("要退出吗？")
                )
                return

    def action_take_screenshot(self) -> None:
        folder = self.home.path / "screenshots"
        try:
            make_dirs(folder, PRIVATE_DIR)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(_("截图未能保存：{err}").format(err=exc.strerror or exc), severity="error")
            return
        self.notify(_("截图已保存到 {path}").format(path=path), title=_("截图"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every section and action, then Textual's system commands, all in the user's language."""
        if self._started:
            for s in SECTIONS:
                help_text = (
                    _("转到“{name}”（按 {key}）").format(name=_(s.label), key=s.key)
                    if s.key
                    else _("转到“{name}”").format(name=_(s.label))
                )
                yield SystemCommand(_(s.label), help_text, partial(self.action_section, s.id))
            palette_commands = getattr(screen, "palette_commands", None)
            if palette_commands is not None:
                yield from palette_commands()
            print_commands = getattr(screen, "print_commands", None)
            if print_commands is not None:
                yield from print_commands()
            if not getattr(screen, "SECTION", "") == "lending":
                yield SystemCommand(
                    _("领用"), _("把设备领给执法人员（含使用前检查）"), partial(self.run_in_section, "lending", "issue")
                )
                yield SystemCommand(_("归还"), _("设备归还入库"), partial(self.run_in_section, "lending", "give_back"))
            if not getattr(screen, "SECTION", "") == "devices":
                yield SystemCommand(_("登记设备"), _("登记一台新设备"), self.action_add_device)
            yield SystemCommand(
                _("统计"), _("各科室、各执法人员的执法活动、音像资料、按时采集、中断和领用统计"), self.action_stats
            )
            if not getattr(screen, "SECTION", "") == "staff":
                yield SystemCommand(_("新增人员"), _("新增一名人员"), partial(self.run_in_section, "staff", "add"))
            yield SystemCommand(_("监督抽查"), _("监督抽查：抽取样本、登记结果"), self.action_spotchecks)
            yield SystemCommand(_("过错责任追究登记"), _("登记、决定过错责任"), self.action_violations)
            if not getattr(screen, "SECTION", "") == "departments":
                yield SystemCommand(
                    _("新增科室"),
                    _("新增科室（执法队）及其配备类别"),
                    partial(self.run_in_section, "departments", "add"),
                )
            if not getattr(screen, "SECTION", "") == "audit":
                yield SystemCommand(
                    _("核验审计链"),
                    _("核验审计链和登记数据是否被改动"),
                    partial(self.run_in_section, "audit", "verify"),
                )
        yield SystemCommand(_("界面语言"), _("选择界面语言（重新启动后生效）"), self.action_settings)
        yield SystemCommand(_("按键帮助"), _("本页的按键和通用按键"), self.action_keys)
        if self._started:
            yield SystemCommand(_("身份与权限"), _("当前以谁的身份操作，以及谁可以做什么"), self.action_whoami)
        yield SystemCommand(_("主题"), _("更换界面配色"), self.action_change_theme)
        if screen.maximized is not None:
            yield SystemCommand(_("还原"), _("把最大化的部件还原为正常大小"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("最大化"), _("最大化当前部件"), screen.action_maximize)
        yield SystemCommand(_("截图"), _("把当前画面保存为 SVG 图片"), self.action_take_screenshot)
        yield SystemCommand(_("退出"), _("退出程序，回到命令行"), self.action_quit)


def make_app(home: Home, *, services: Services | None = None, identity: Identity | None = None) -> AvledgerApp:
    """The TUI for a data folder, acting as ``identity``. ``services`` may be given (tests: their identity
    is the app's); otherwise the app opens them."""
    return AvledgerApp(home, services, identity)
