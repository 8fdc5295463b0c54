"""Register values as Rich text for the screens: statuses and reminders in colour, key/value pairs.

Pure functions over the services' view dataclasses; shared by the section
lists and the pages opened from them (a device's status reads the same in the
device list, on the device's page and on the home screen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from avledger.i18n import _
from avledger.plaintext import UNSAFE, visible
from avledger.vocab import ACCESS_STATUSES, DEVICE_STATUSES, label

if TYPE_CHECKING:
    from avledger.services.access import AccessView
    from avledger.services.activities import ActivityView
    from avledger.services.footage import ClipView

DEVICE_STATUS_STYLES = {"in_store": "green", "issued": "cyan", "in_repair": "yellow", "lost": "red", "retired": "dim"}
ACCESS_STATUS_STYLES = {"requested": "yellow", "approved": "green", "refused": "red", "expired": "dim"}


def device_status(status: str) -> Text:
    """A device's status in words, coloured (in store green, issued cyan, in repair yellow...)."""
    return Text(label(DEVICE_STATUSES, status), style=DEVICE_STATUS_STYLES.get(status, ""))


def access_status(request: AccessView) -> Text:
    """A viewing request's status in words, coloured."""
    return Text(label(ACCESS_STATUSES, request.status), style=ACCESS_STATUS_STYLES.get(request.status, ""))


def _words(parts: list[tuple[str, str]]) -> Text:
    text = Text()
    for i, (words, style) in enumerate(parts):
        if i:
            text.append(" ")
        text.append(words, style=style)
    return text


def clip_flags(c: ClipView) -> Text:
    """What a clip still waits for, or what is wrong with it."""
    parts: list[tuple[str, str]] = []
    if c.activity_id is None:
        parts.append((_("未归入活动"), "yellow"))
    if c.late:
        parts.append((_("逾期采集"), "yellow") if c.late_reason else (_("逾期待说明"), "bold red"))
    if "corrupt" in c.flags:
        parts.append((_("文件损坏"), "bold red"))
    return _words(parts)


def attention(a: ActivityView) -> Text:
    """What the rules still ask of an activity."""
    parts: list[tuple[str, str]] = []
    if a.missing_record:
        parts.append((_("缺音像记录"), "bold red"))
    if a.open_gaps:
        parts.append((_("中断待说明 {n}").format(n=a.open_gaps), "yellow"))
    if a.long_term:
        parts.append((_("长期保存"), "cyan"))
    if a.confidential:
        parts.append((_("涉密"), "magenta"))
    return _words(parts)


def plain(value: object) -> object:
    """A cell as the register holds it, never interpreted: a string becomes Rich Text (a DataTable and a Rich
    Table would read ``[bold]`` or ``[/]`` in a name as markup, or fail on it), and a control or bidirectional
    character of a register from an older version is shown as its escape (Rich passes ESC to the terminal
    raw). Anything else (numbers, other renderables) is left as it is."""
    if isinstance(value, str):
        return Text(visible(value), end="")
    if isinstance(value, Text) and UNSAFE.search(value.plain):
        return Text(visible(value.plain), style=value.style, end="")
    return value


def pairs_table(pairs: list[tuple[str, str | Text]], columns: int) -> Table:
    """Key/value pairs laid out in ``columns`` pairs per line (Rich measures CJK widths)."""
    table = Table.grid(padding=(0, 1), expand=True)
    for _i in range(columns):
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
    per_column = -(-len(pairs) // columns)
    for row in range(per_column):
        cells: list[str | Text] = []
        for col in range(columns):
            index = col * per_column + row
            if index < len(pairs):
                cells.extend(pairs[index])
            else:
                cells.extend(["", ""])
        table.add_row(*(plain(c) for c in cells))
    return table
