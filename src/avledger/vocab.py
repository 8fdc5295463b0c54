"""Fixed vocabularies: stable ASCII ids (for the CLI, JSON and the database)
with their Chinese labels (message ids, translated on display)."""

from __future__ import annotations

from avledger.i18n import N_, _

DEVICE_KINDS: dict[str, str] = {
    "bodycam": N_("执法记录仪"),
    "terminal": N_("手持执法终端"),
    "camera": N_("照相机"),
    "recorder": N_("录音机"),
    "camcorder": N_("摄像机"),
    "cctv": N_("视频监控"),
    "storage": N_("存储设备"),
}

DEVICE_STATUSES: dict[str, str] = {
    "in_store": N_("在库"),
    "issued": N_("已领用"),
    "in_repair": N_("维修中"),
    "lost": N_("丢失"),
    "retired": N_("报废"),
}

# Statuses in which a device counts as a working device for allocation.
WORKING_STATUSES = ("in_store", "issued")

ABILITIES: dict[str, str] = {
    "explosion_proof": N_("防爆"),
    "infrared": N_("红外夜视"),
    "gps": N_("GPS定位"),
    "wireless": N_("无线传输"),
}

ROLES: dict[str, str] = {
    "officer": N_("执法人员"),
    "approver": N_("审批人"),
    "manager": N_("管理员"),
    "auditor": N_("监督员"),
    "leader": N_("单位负责人"),
}

ALLOCATION_CLASSES: dict[str, str] = {
    "A": N_("A类（每3人至少1台）"),
    "B": N_("B类（每5人至少1台）"),
    "C": N_("C类（按需配备）"),
    "FULL": N_("全员配备（每人1台）"),
}

MEDIA_TIME: dict[str, str] = {
    "utc": N_("UTC（标准）"),
    "local": N_("本地时间"),
}

# Enforcement activities (F06). Kinds follow the regulations' lists (W7, D11, L4, P4, R2).
ACTIVITY_KINDS: dict[str, str] = {
    "inspection": N_("日常检查"),
    "complaint": N_("投诉举报处置"),
    "investigation": N_("调查取证"),
    "preservation": N_("先行登记保存"),
    "service": N_("文书送达"),
    "coercion": N_("行政强制"),
    "hearing": N_("听证"),
    "other": N_("其他"),
}

# Circumstances that require recording in full (W7).
CIRCUMSTANCES: dict[str, str] = {
    "personal_freedom": N_("涉及人身自由"),
    "life_health": N_("涉及生命健康"),
    "major_property": N_("涉及重大财产权益"),
    "obstruction": N_("当事人阻碍执法"),
    "criminal_referral": N_("可能移送刑事案件线索"),
}

# Long-term keeping reasons: these activities go to disc (F12; W15, D26, R14).
LONG_TERM_REASONS: dict[str, str] = {
    "objection": N_("当事人异议、投诉或上访"),
    "obstruction": N_("逃避、拒绝、阻碍或殴打执法人员"),
    "mass_incident": N_("群体性事件、突发事件"),
    "major": N_("其他重大、敏感情况"),
}

CASE_STATUSES: dict[str, str] = {
    "open": N_("办理中"),
    "closed": N_("已结案"),
}

CLIP_KINDS: dict[str, str] = {
    "video": N_("视频"),
    "audio": N_("音频"),
    "photo": N_("照片"),
}

# Where a clip's start time came from.
TIME_SOURCES: dict[str, str] = {
    "tag": N_("文件内时间"),
    "name": N_("文件名时间"),
    "file": N_("文件修改时间"),
}

CLIP_FLAGS: dict[str, str] = {
    "corrupt": N_("无法读取或已损坏"),
}

# Reasons for an interruption of recording (F09; D20, L11, R9, P8). The profile lists those allowed.
GAP_REASONS: dict[str, str] = {
    "fault": N_("设备故障"),
    "weather": N_("天气原因"),
    "battery": N_("电量不足"),
    "storage": N_("存储空间不足"),
    "place_change": N_("转换场所"),
    "other": N_("其他"),
}

# Reasons an activity was not recorded (F10; W11, D12, L5, P5, R9). The profile lists those allowed.
NORECORD_REASONS: dict[str, str] = {
    "device_fault": N_("设备故障、损坏或电量、存储空间不足"),
    "weather": N_("天气恶劣等自然原因"),
    "obstruction": N_("阻碍执法"),
    "force_majeure": N_("其他不可抗力"),
    "explosion_hazard": N_("爆炸危险区域未配备防爆设备"),
    "dark_no_infrared": N_("较黑暗的地下空间未配备红外夜视设备"),
    "secrets_privacy": N_("涉及国家秘密、商业秘密或个人隐私"),
    "emergency": N_("情况紧急"),
    "other": N_("其他客观原因"),
}

# Where the collection deadline (24 h rule) starts.
DEADLINE_FROM: dict[str, str] = {
    "return": N_("设备归还（返回单位）"),
    "activity_end": N_("执法活动结束"),
    "recording_end": N_("录制完成"),
}


# What an audit-log entry records (its ``action``).
AUDIT_ACTIONS: dict[str, str] = {
    "create": N_("新增"),
    "update": N_("修改"),
    "status": N_("状态变更"),
    "leave": N_("离职"),
    "delete": N_("删除"),
    "verify": N_("核验"),
    "issue": N_("领用"),
    "return": N_("归还"),
    "handover": N_("交接"),
    "lost": N_("丢失"),
    "fault": N_("故障登记"),
    "repair_sent": N_("送修"),
    "repair_back": N_("修复返回"),
    "liability": N_("责任追究"),
    "close": N_("结案"),
    "ingest": N_("采集入库"),
    "preview": N_("查看画面"),
    "assign": N_("归属执法活动"),
    "late_reason": N_("逾期说明"),
    "gap": N_("发现记录中断"),
    "explain": N_("中断说明"),
    "norecord": N_("无法记录工作记录"),
    "access_request": N_("查阅申请"),
    "approve": N_("批准查阅"),
    "refuse": N_("不予批准"),
    "view": N_("查阅"),
    "view_end": N_("查阅结束"),
    "view_refused": N_("未经批准查阅被拒绝"),
    "extract": N_("证据调取"),
    "disc_plan": N_("光盘归档规划"),
    "disc_build": N_("制作光盘镜像"),
    "disc_burn": N_("刻录光盘"),
    "disc_burn_start": N_("开始刻录"),
    "disc_burn_end": N_("刻录结束"),
    "disc_check": N_("光盘检测"),
    "audit_anchor": N_("锚定审计头"),
    "audit_anchor_places": N_("设置审计锚点位置"),
    "revoke": N_("撤销"),
    "denied": N_("无权操作被拒绝"),
    "checklist_tick": N_("勾选音像记录事项"),
    "spotcheck_draw": N_("抽取抽查样本"),
    "spotcheck_record": N_("登记抽查结果"),
    "spotcheck_close": N_("结束抽查"),
    "decide": N_("作出追究决定"),
    "acknowledge": N_("本人签收追究决定"),
    "hold": N_("设置保存冻结"),
    "hold_release": N_("解除保存冻结"),
    "case_file": N_("登记案卷保管期限"),
    "dispose_plan": N_("拟定清除计划"),
    "dispose_approve": N_("批准清除计划"),
    "dispose_disposing": N_("开始清除文件"),
    "dispose_done": N_("清除文件"),
    "dispose_skipped": N_("未清除文件"),
    "dispose_finish": N_("清除计划执行完毕"),
    "dispose_cancel": N_("取消清除计划"),
    "retire": N_("报废"),
    "upkeep": N_("保养"),
    "outside": N_("不在执法活动时间内"),
    "deadline": N_("重新计算采集时限"),
    "keep_until": N_("保存期限变更"),
}

# How the person acting was established (avledger whoami).
ACTING_HOW: dict[str, str] = {
    "staff": N_("本机账户，对应人员"),
    "administrator": N_("数据目录所有者账户（未对应人员，按管理员）"),
    "ssh": N_("SSH 密钥"),
    "nobody": N_("无：密钥已撤销、未登记，或人员已离职"),
}

# A registered SSH key's state (avledger ssh list).
KEY_STATES: dict[str, str] = {
    "active": N_("有效"),
    "removed": N_("已撤销"),
    "left": N_("人员已离职"),
}

# What an audit-log entry is about (its ``entity``).
AUDIT_ENTITIES: dict[str, str] = {
    "office": N_("办公室"),
    "department": N_("科室"),
    "staff": N_("人员"),
    "device": N_("设备"),
    "loan": N_("领用"),
    "fault": N_("故障"),
    "liability": N_("赔偿"),
    "activity": N_("执法活动"),
    "activity_officer": N_("执法人员"),
    "clip": N_("音像文件"),
    "gap": N_("记录中断"),
    "norecord": N_("无法记录工作记录"),
    "archive": N_("存储"),
    "access_request": N_("查阅申请"),
    "access_clip": N_("申请的文件"),
    "viewing": N_("查阅"),
    "extraction": N_("证据调取"),
    "disc_set": N_("光盘组"),
    "disc": N_("光盘"),
    "disc_copy": N_("光盘份"),
    "disc_check": N_("光盘检测"),
    "disc_burn": N_("刻录记录"),
    "ssh_key": N_("SSH 密钥"),
    "spot_check": N_("监督抽查"),
    "spot_check_activity": N_("抽查的执法活动"),
    "violation": N_("过错责任"),
    "audit": N_("审计日志"),
    "checklist_tick": N_("音像记录事项"),
    "retention_hold": N_("保存冻结"),
    "case_file": N_("案卷保管期限"),
    "disposal_plan": N_("清除计划"),
    "disposal": N_("清除登记"),
    "device_retirement": N_("设备报废"),
    "upkeep": N_("设备保养"),
}

# Why footage is asked for (查阅事由, W16 D28 D29 R15).
ACCESS_REASONS: dict[str, str] = {
    "case_handling": N_("办案需要"),
    "complaint": N_("投诉举报处理"),
    "supervision": N_("执法监督"),
    "case_review": N_("案情研判"),
    "court_evidence": N_("诉讼证据"),
    "other": N_("其他"),
}

ACCESS_KINDS: dict[str, str] = {
    "view": N_("查阅"),
    "copy": N_("复制调取"),
}

# requested | approved | refused are stored; expired is an approval past its date.
ACCESS_STATUSES: dict[str, str] = {
    "requested": N_("待审批"),
    "approved": N_("已批准"),
    "refused": N_("不予批准"),
    "expired": N_("已过期"),
}

ACCESS_SCOPES: dict[str, str] = {
    "activity": N_("执法活动"),
    "case": N_("案件"),
    "clips": N_("指定文件"),
}

# Disc media: id -> (label, capacity in bytes: the medium's 2048-byte sectors).
DISC_MEDIA: dict[str, str] = {
    "cd": N_("CD（700 MB）"),
    "dvd": N_("DVD（4.7 GB）"),
    "dvd-dl": N_("双层 DVD（8.5 GB）"),
    "bd25": N_("蓝光 BD（25 GB）"),
    "bd50": N_("蓝光 BD（50 GB）"),
    "bd100": N_("蓝光 BD（100 GB）"),
}

# A long disc job's progress: the step, then the phase within it.
# Why a file of a card or folder was not collected (ingest's "skipped").
SKIP_REASONS: dict[str, str] = {
    "empty": N_("空文件"),
    "not_media": N_("不是音像文件"),
    "unreadable": N_("无法读取"),
    "hidden": N_("隐藏文件或文件夹（不进入）"),
    "symlink": N_("符号链接（不跟随）"),
    "fifo": N_("命名管道（不读取）"),
    "device": N_("设备文件（不读取）"),
    "special": N_("不是普通文件（设备、管道等）"),
    "changing": N_("仍在写入，请稍后重新采集"),
    "duplicate": N_("已采集（已在库）"),
}

# What the archive check found at a clip's place or in the archive folders.
VERIFY_PROBLEMS: dict[str, str] = {
    "missing": N_("缺失"),
    "changed": N_("已被改动"),
    "symlink": N_("符号链接（原文件已被移走或替换）"),
    "special": N_("不是普通文件"),
    "extra": N_("未登记的文件"),
}

PROGRESS_JOBS: dict[str, str] = {
    "ingest": N_("采集入库"),
    "disc_build": N_("制作镜像"),
    "disc_burn": N_("刻录"),
    "disc_verify": N_("核验"),
    "archive_verify": N_("核验存储"),
    "disposal": N_("清除处理"),
}
PROGRESS_PHASES: dict[str, str] = {
    "copy": N_("复制"),
    "register": N_("登记入库"),
    "write": N_("写入镜像"),
    "check": N_("核对镜像指纹"),
    "burn": N_("写入光盘"),
    "readback": N_("读回比对"),
    "files": N_("逐个核对文件"),
    "image": N_("比对整盘"),
    "extra": N_("查找未登记的文件"),
    "delete": N_("清除文件"),
    "done": N_("完成"),
}

DISC_CHECK_RESULTS: dict[str, str] = {
    "ok": N_("完好"),
    "failed": N_("不一致"),
}

# The kinds of entry in a device's use and repair history.
HISTORY_KINDS: dict[str, str] = {
    "issue": N_("领用"),
    "handover": N_("交接"),
    "return": N_("归还"),
    "lost": N_("丢失"),
    "fault": N_("故障"),
    "repair_sent": N_("送修"),
    "repair_back": N_("修复"),
    "liability": N_("责任"),
    "upkeep": N_("保养"),
    "retire": N_("报废"),
}


# Supervision spot checks (监督抽查, D15 D32): the three items every check asks (D32 (一)(二)(三)); an office
# adds its own in its profile (supervision.extra_items).
SPOTCHECK_ITEMS: dict[str, str] = {
    "recorded": N_("规定事项已进行现场执法音像记录"),
    "continuous": N_("执法全过程不间断记录"),
    "handling": N_("音像资料的移交、管理和使用符合规定"),
}

SPOTCHECK_STATUSES: dict[str, str] = {
    "open": N_("进行中"),
    "closed": N_("已结束"),
}

FINDINGS: dict[str, str] = {
    "ok": N_("符合"),
    "fail": N_("不符合"),
}

# The articles on violations (责任追究), keyed as COMPLIANCE.md names them; the profile lists its regulation's.
VIOLATION_ARTICLES: dict[str, str] = {
    "W17": N_("万州制度第十七条"),
    "D33": N_("大连制度第三十三条"),
    "D34": N_("大连制度第三十四条"),
    "R18": N_("汝州制度第十八条"),
    "L20": N_("陵川办法第二十条"),
    "P13": N_("平顶山制度第十三条"),
    "P14": N_("平顶山制度第十四条"),
}

# The sanctions (追究方式, W17 D34 P14).
SANCTIONS: dict[str, str] = {
    "education": N_("批评教育"),
    "self_examination": N_("责令作出书面检查"),
    "circular": N_("通报批评"),
    "suspension": N_("停止执法工作"),
    "no_award": N_("取消当年评优评先资格"),
    "referral": N_("移送给予行政处分"),
}

VIOLATION_STATUSES: dict[str, str] = {
    "open": N_("待决定"),
    "decided": N_("已决定"),
}


def label(vocab: dict[str, str], key: str | None) -> str:
    """The translated label of an id; unknown ids are shown as they are."""
    if key is None:
        return ""
    return _(vocab[key]) if key in vocab else key


def labels(vocab: dict[str, str], keys: list[str] | tuple[str, ...]) -> str:
    return _("、").join(label(vocab, k) for k in keys)


# Retention (F11): the category of a record's keeping period, where the count starts, and what holds it.
RETENTION_CATEGORIES: dict[str, str] = {
    "ordinary": N_("一般资料"),
    "case": N_("案件资料"),
    "evidence": N_("作为证据使用"),
    "long_term": N_("长期保存"),
}

RETENTION_STARTS: dict[str, str] = {
    "recording": N_("自录制之日起"),
    "activity_end": N_("自执法活动结束之日起"),
    "case_closed": N_("自案件终结之日起"),
    "case_file": N_("随案卷保管期限"),
    "forever": N_("长期保存"),
}

HOLD_KINDS: dict[str, str] = {
    "open_case": N_("案件未结"),
    "request": N_("查阅申请或审批未结"),
    "evidence": N_("作为证据调取，案卷保管期限未登记"),
    "long_term": N_("长期保存情形"),
    "gap_waiting": N_("记录中断待说明"),
    "late_waiting": N_("逾期采集待说明"),
    "disc_pending": N_("光盘未刻录两份并核验"),
    "manual": N_("人工冻结"),
}

DISPOSAL_STATES: dict[str, str] = {
    "planned": N_("待清除"),
    "disposing": N_("清除中"),
    "done": N_("已清除"),
    "skipped": N_("未清除"),
}

DISPOSAL_PLAN_STATES: dict[str, str] = {
    "planned": N_("待批准"),
    "approved": N_("已批准"),
    "done": N_("已执行"),
    "cancelled": N_("已取消"),
}

DISPOSAL_SKIP_REASONS: dict[str, str] = {
    "held": N_("已冻结或未到期"),
    "changed": N_("文件已变动或缺失"),
    "cancelled": N_("清除计划已取消"),
}
