"""The record checklist (音像记录事项清单, F20; P7 with its annex 2, L10, W10, D19).

The office's profile lists, per activity kind, what the recording of an activity must show
(:meth:`avledger.profile.Profile.checklist`). Each item is ticked for an activity once its footage shows it
(who ticked it, when, a note; audited); what is not ticked is missing, and shows on the activity's page,
in ``checklist show`` and on the printed 音像记录事项清单. A tick keeps the item's words as they were, so
that an item the office later rewords or drops still reads as it was ticked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from avledger.errors import UserError
from avledger.i18n import N_
from avledger.models.schema import Activity, ChecklistTick
from avledger.profile import ChecklistItem
from avledger.services.activities import ActivityService
from avledger.services.base import Context, optional_text, require_text
from avledger.services.permissions import requires


@dataclass(frozen=True)
class ChecklistEntry:
    """One item of an activity's checklist and whether it is ticked."""

    item: ChecklistItem
    ticked: bool
    ticked_by: str = ""  # the person, as forms name them
    ticked_at: dt.datetime | None = None  # naive UTC
    note: str = ""
    dropped: bool = False  # ticked, but no longer in the profile's checklist for this kind

    def as_json(self) -> dict:
        item = self.item
        return {
            "item": item.key,
            "content": item.content,
            "article": item.article,
            "category": item.category,
            "matter": item.matter,
            "stage": item.stage,
            "place": item.place,
            "recorder": item.recorder,
            "start": item.start,
            "end": item.end,
            "storage": item.storage,
            "record_type": item.record_type,
            "ticked": self.ticked,
            "ticked_by": self.ticked_by,
            "ticked_at": self.ticked_at.isoformat() if self.ticked_at else None,
            "note": self.note,
            "in_profile": not self.dropped,
        }


class ChecklistService:
    def __init__(self, ctx: Context, activities: ActivityService):
        self.ctx = ctx
        self.activities = activities

    def entries(self, activity: Activity | int | str) -> list[ChecklistEntry]:
        """The checklist of an activity, in the profile's order, each item with its tick; then the items
        ticked that the profile no longer lists for its kind."""
        if not isinstance(activity, Activity):
            activity = self.activities.get(activity, field="activity")
        ticks = {t.item: t for t in ChecklistTick.select().where(ChecklistTick.activity == activity.id)}
        entries = []
        for item in self.ctx.profile().checklist(activity.kind):
            tick = ticks.pop(item.key, None)
            entries.append(self._entry(item, tick))
        for tick in sorted(ticks.values(), key=lambda t: t.id):
            entries.append(self._entry(ChecklistItem(tick.item, tick.content, (activity.kind,)), tick, dropped=True))
        return entries

    @staticmethod
    def _entry(item: ChecklistItem, tick: ChecklistTick | None, *, dropped: bool = False) -> ChecklistEntry:
        if tick is None:
            return ChecklistEntry(item, False)
        return ChecklistEntry(item, True, tick.ticked_by, tick.ticked_at, tick.note, dropped)

    def show(self, activity_id: int | str) -> list[ChecklistEntry]:
        """The checklist of an activity a person opens (a confidential one only when cleared; logged)."""
        view = self.activities.open(activity_id)
        return self.entries(view.id)

    def missing(self, activity: Activity | int | str) -> list[ChecklistItem]:
        """The items of the activity's kind not yet ticked."""
        return [e.item for e in self.entries(activity) if not e.ticked]

    @requires("checklist.tick")
    def tick(self, activity_id: int | str, item: str, *, note: str = "") -> ChecklistEntry:
        """Tick ``item`` (a key of the profile's checklist for the activity's kind): its recording shows it."""
        key = require_text(item, N_("事项"), field="item")
        note = optional_text(note, N_("备注"), field="note")
        from avledger.services.clearance import require_cleared

        with self.ctx.change():
            activity = self.activities.get(activity_id)
            require_cleared(self.ctx, [activity])
            items = {i.key: i for i in self.ctx.profile().checklist(activity.kind)}
            if key not in items:
                raise UserError(
                    "checklist.unknown_item",
                    "执法活动 {id} 的音像记录事项清单中没有这一项：{item}（可选：{choices}）",
                    field="item",
                    id=activity.id,
                    item=key,
                    choices=" ".join(items) or "—",
                )
            if ChecklistTick.get_or_none((ChecklistTick.activity == activity.id) & (ChecklistTick.item == key)):
                raise UserError(
                    "checklist.already_ticked",
                    "执法活动 {id} 的事项 {item} 已经勾选",
                    field="item",
                    id=activity.id,
                    item=key,
                )
            acting = self.ctx.acting()
            tick = ChecklistTick.create(
                activity=activity.id,
                item=key,
                content=items[key].content,
                ticked_by_staff=acting.staff_id,
                ticked_by=acting.person or acting.actor,
                ticked_at=self.ctx.clock(),
                note=note,
            )
            self.ctx.log("checklist_tick", tick, summary=f"{activity.id} {key}")
        return self._entry(items[key], tick)
