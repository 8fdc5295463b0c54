"""The printable registers of disc archives (F12, F13): the disc register and the labels."""

from __future__ import annotations

from avledger.i18n import N_, _
from avledger.services.sheets import SEQ, Column, Scope, Sheet, register
from avledger.timeutil import fmt_local
from avledger.vocab import label


# --- 光盘登记 (F12, F13) ----------------------------------------------------------------------
@register(
    "discs",
    N_("音像资料刻录光盘登记表"),
    landscape=True,
    filters={"date_from", "date_to", "disc"},
    signatures=(N_("制表人："), N_("档案管理员："), N_("负责人：")),
    columns=[
        SEQ,
        Column("volume_id", N_("卷标"), 1.3, xlsx_width=16),
        Column("disc", N_("光盘"), 0.6, "center", 8),
        Column("case_no", N_("案号"), 1.5, xlsx_width=20),
        Column("title", N_("名称"), 1.6, xlsx_width=20),
        Column("media", N_("类型"), 1, xlsx_width=14),
        Column("files", N_("文件"), 0.5, "center", 8),
        Column("built_at", N_("制作时间"), 1.1, "center", 17, kind="datetime"),
        Column("copies", N_("份数与存放位置"), 1.8, xlsx_width=26),
        Column("last_check", N_("最近检测"), 1.3, xlsx_width=20),
    ],
)
def discs(scope: Scope) -> Sheet:
    from avledger.vocab import DISC_CHECK_RESULTS, DISC_MEDIA

    rows = []
    for s in scope.services.discs.list():
        if (scope.start_utc and s.created_at < scope.start_utc) or (scope.end_utc and s.created_at >= scope.end_utc):
            continue
        for d in s.discs:
            if scope.disc is not None and d.volume_id != scope.disc:
                continue
            last = d.last_check
            rows.append(
                {
                    "seq": len(rows) + 1,
                    "volume_id": d.volume_id,
                    "disc": f"{d.number}/{d.discs}",
                    "case_no": s.case_no,
                    "title": s.title,
                    "media": label(DISC_MEDIA, s.media),
                    "files": d.files,
                    "built_at": fmt_local(d.built_at, scope.tz),
                    "copies": _("；").join(
                        f"{c.copy}：{c.kept_at or '-'}" + ("" if c.verified else _("（未通过核验）")) for c in d.copies
                    ),
                    "last_check": f"{fmt_local(last.at, scope.tz)} {label(DISC_CHECK_RESULTS, last.result)}"
                    if last
                    else "",
                }
            )
    return Sheet(rows)


# --- 光盘标签 (F13): the disc face and the case insert, one page per copy --------------------------
LABEL_FIELDS = {
    "unit": N_("制作单位"),
    "maker": N_("制作人"),
    "made_at": N_("制作时间"),
    "case_name": N_("案件名称"),
    "case_no": N_("案号"),
    "activity": N_("执法活动"),
    "disc": N_("光盘"),
    "copy": N_("份数"),
    "kept_at": N_("存放位置"),
    "volume_id": N_("卷标"),
    "files": N_("文件"),
}


def disc_qr_svg(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_inline(scale=4, border=0)


@register(
    "disc-label",
    N_("光盘标签"),
    filters={"date_from", "date_to", "disc"},
    columns=[
        SEQ,
        Column("volume_id", N_("卷标"), 1.3, xlsx_width=16),
        Column("disc", N_("光盘"), 0.6, "center", 8),
        Column("copy", N_("份数"), 0.8, "center", 10),
        Column("case_no", N_("案号"), 1.5, xlsx_width=20),
        Column("case_name", N_("案件名称"), 1.5, xlsx_width=20),
        Column("activity", N_("执法活动"), 1.5, xlsx_width=20),
        Column("maker", N_("制作人"), 1, xlsx_width=14),
        Column("made_at", N_("制作时间"), 1.1, "center", 17, kind="datetime"),
        Column("kept_at", N_("存放位置"), 1.2, xlsx_width=16),
    ],
)
def disc_labels(scope: Scope) -> Sheet:
    """Each copy's label: producing unit, maker, time, case name and number, activity (F13), with a QR code
    of the disc's register id."""
    from avledger.models.schema import Activity, DiscSet

    rows, labels_ = [], []
    copies = scope.ctx.profile().get("disc.copies")
    unit = scope.ctx.office().unit
    for s in scope.services.discs.list():
        if (scope.start_utc and s.created_at < scope.start_utc) or (scope.end_utc and s.created_at >= scope.end_utc):
            continue
        row = DiscSet.get_by_id(s.id)
        acts = (
            [row.activity]
            if row.activity_id
            else list(Activity.select().where(Activity.case_no == row.case_no).order_by(Activity.start_at))
        )
        case_name = next((a.case_name for a in acts if a.case_name), "")
        activity = _("；").join(f"{a.id} {a.title}" for a in acts)
        for d in s.discs:
            if scope.disc is not None and d.volume_id != scope.disc:
                continue
            kept = {c.copy: c.kept_at for c in d.copies}
            for n in range(1, copies + 1):
                values = {
                    "seq": len(rows) + 1,
                    "volume_id": d.volume_id,
                    "disc": _("第 {n} 张，共 {count} 张").format(n=d.number, count=d.discs),
                    "copy": _("一式 {count} 份 第 {n} 份").format(count=copies, n=n),
                    "case_no": s.case_no,
                    "case_name": case_name,
                    "activity": activity,
                    "maker": s.created_by,
                    "made_at": fmt_local(d.built_at or s.created_at, scope.tz),
                    "kept_at": kept.get(n, ""),
                    "unit": unit,
                    "files": str(d.files),
                }
                rows.append(values)
                labels_.append(
                    {
                        "fields": [[_(LABEL_FIELDS[k]), str(values[k])] for k in LABEL_FIELDS],
                        "face": {k: str(values[k]) for k in LABEL_FIELDS},
                        "qr": disc_qr_svg(f"avledger:disc:{d.id}:{d.volume_id}"),
                    }
                )
    return Sheet(rows, {"labels": labels_, "face_labels": {k: _(v) for k, v in LABEL_FIELDS.items()}})
