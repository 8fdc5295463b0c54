"""Refusals carry a stable code: every UserError names one, each code is listed here with the messages it
is raised with (so that one code never covers two unrelated situations by accident), and a refusal through
the CLI still exits 2.

CODES is the list of codes. A new refusal either reuses the code of the same situation elsewhere or adds
its code here, with its message; ``python tests/test_errors.py`` prints what the source raises.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from avledger.errors import CODE, EXIT_REFUSED, PartlyDone, UserError

SRC = Path(__file__).resolve().parent.parent / "src"

# code -> the messages raised with it
CODES: dict[str, set[str]] = {
    "checklist.already_ticked": {"执法活动 {id} 的事项 {item} 已经勾选"},
    "checklist.unknown_item": {"执法活动 {id} 的音像记录事项清单中没有这一项：{item}（可选：{choices}）"},
    "disposal.approver_absent": {"只有批准人本人可以批准；管理员可代为登记纸质审批"},
    "disposal.decided": {"清除计划 {id} 已经批准"},
    "disposal.not_approved": {"清除计划 {id} 尚未批准"},
    "disposal.not_approver": {"{name}（{number}）不是{role}，不能批准清除计划"},
    "disposal.self_approval": {"不能批准本人拟定的清除计划"},
    "disposal.unknown_plan": {"没有编号为 {id} 的清除计划"},
    "retention.bad_months": {"保管期限应为 1 到 1200 个月"},
    "retention.hold_released": {"保存冻结 {id} 已经解除"},
    "retention.months_or_permanent": {"请指定 --months 或 --permanent 之一"},
    "retention.one_of": {"请指定 --clip 或 --activity 之一"},
    "retention.one_of_scope": {"请指定 --activity 或 --case-no 之一"},
    "retention.unknown_case": {"没有案件编号为 {no} 的执法活动"},
    "retention.unknown_hold": {"没有编号为 {id} 的保存冻结"},
    "activity.unchanged": {"执法活动 {id} 没有要修改的内容"},
    "device.not_retire_approver": {"{name}（{number}）不是在职的{role}，不能批准设备报废"},
    "device.paper_form_needed": {"代为登记报废时须填写批准人签字的纸质审批表编号（--paper-form）"},
    "disposal.paper_form_needed": {"代为登记批准时须填写批准人签字的纸质审批表编号（--paper-form）"},
    "device.retired": {"设备 {asset} 已报废"},
    "clip.outside_activity": {
        "音像文件 {id}（{name}）录制于 {at}，不在执法活动 {activity} 的时间（{start} 至 {end}）内；归入须说明原因"
    },
    "access.approver_absent": {"只有审批人本人可以审批；管理员可代为登记纸质审批"},
    "access.check_activity": {"按监督抽查申请查阅时，须指定抽查样本中的一项执法活动"},
    "access.decided": {"查阅申请 {id} 已经审批（{status}）"},
    "access.expired": {"查阅申请 {id} 已于 {date} 过期"},
    "access.no_approval": {"没有批准查阅音像文件 {clip} 的申请，不能打开"},
    "access.no_footage": {"申请范围内没有音像文件"},
    "access.not_approved": {"查阅申请 {id} 尚未批准"},
    "access.not_approver": {"{name}（{number}）不是{role}，不能审批查阅申请"},
    "access.not_confidential_approver": {"申请涉及保密的音像记录，须由{role}审批；{name}（{number}）不是"},
    "access.not_covered": {"音像文件 {clip} 不在查阅申请 {id} 的范围内"},
    "access.not_requester": {"只有申请人本人可以按查阅申请 {id} 查阅（当前系统用户：{who}）"},
    "access.paper_form_needed": {"代为登记审批时须填写纸质审批表编号（--paper-form）"},
    "access.refused": {"查阅申请 {id} 已不予批准"},
    "access.self_approval": {"不能审批本人的申请"},
    "access.unknown": {"没有这个编号的查阅申请：{id}"},
    "access.nobody": {"当前身份没有对应的在职人员，不能审批和查阅"},
    "audit.anchor_contradicted": {
        "审计日志与数据目录的见证文件不符（见证过第 {n} 条，日志现有 {entries} 条），未写入锚点；"
        "请先运行 avledger audit verify --full 查明原因"
    },
    "audit.anchor_failed": {"无法写入审计锚点 {place}：{error}"},
    "audit.anchor_relative": {"审计锚点位置应为绝对路径：{place}"},
    "audit.config_unwritable": {"无法写入 {path}：{err}"},
    "audit.head_invalid": {
        "审计头 {text} 的格式应为 条数:哈希（哈希至少 {digits} 位十六进制数字），例如 1234:9f86d081884c7d65"
    },
    "audit.no_anchor": {"没有设置审计锚点位置：请用 --to 指定一个文件夹（U 盘或另一台电脑共享的文件夹）"},
    "audit.no_home": {"没有数据目录，无法设置审计锚点位置"},
    "audit.nothing_to_anchor": {"审计日志还是空的，没有可锚定的审计头"},
    "access.view_only": {"查阅申请 {id} 只批准查阅，不能复制调取"},
    "activity.closed": {"执法活动 {id} 已于 {date} 结案"},
    "activity.confidential": {"执法活动 {id} 涉密，您无权查看"},
    "activity.unknown": {"没有这个编号的执法活动：{id}"},
    "archive.file_changed": {
        "存储中的文件与登记的指纹不一致，已停止调取：{path}",
        "存储中的文件与登记的指纹不一致，未制作镜像：{names}（请运行 avledger verify）",
    },
    "archive.file_missing": {
        "存储中缺少文件 {path}，请先运行 avledger verify",
        "存储中缺少音像文件：{path}",
    },
    "burn.failed": {"刻录失败（xorriso 退出码 {code}）：{tail}"},
    "burn.xorriso_missing": {"找不到 xorriso，请先安装（Debian/Ubuntu：apt install xorriso）"},
    "case.unknown": {
        "没有这个案件编号的执法活动：{no}",
        "没有这个案号的执法活动：{no}",
    },
    "clip.already_assigned": {"音像文件 {id} 已属于执法活动 {activity}"},
    "clip.none_chosen": {"没有选择音像文件"},
    "clip.not_late": {"音像文件 {id} 没有逾期，无需说明"},
    "clip.unknown": {"没有这个编号的音像文件：{id}"},
    "database.too_new": {"登记库版本（{have}）比本程序（{want}）新，请升级 avledger"},
    "dept.exists": {"科室已存在：{name}"},
    "dept.unknown": {"没有这个科室：{name}"},
    "device.asset_taken": {"资产编号已存在：{asset}"},
    "device.in_use": {
        "设备 {asset} 正在使用中，请先归还（状况：damaged）再登记故障",
        "设备 {asset} 正在使用中，请先归还再报废",
    },
    "device.unavailable": {
        "设备 {asset} 当前状态为“{status}”",
        "设备 {asset} 当前状态为“{status}”，不能登记故障",
        "设备 {asset} 当前状态为“{status}”，不能领用",
    },
    "device.unknown": {"没有这个资产编号的设备：{asset}"},
    "disc.copy_done": {"光盘 {volume} 的第 {copy} 份已刻录并核验（{at}）"},
    "disc.file_too_big": {
        "{name}（{size}）放不进一张{media}，请改用{holder}",
        "{name}（{size}）比一张光盘的容量（{room}）还大，无法刻录",
        "{name}（{size}）比任何光盘都大，无法刻录",
    },
    "disc.foreign": {
        "{drive} 中的光盘不在本登记库中（卷标 {volume}）",
        "{drive} 中的光盘不是本系统刻录的（没有 bag-info.txt）",
        "{path} 不是本登记库制作的光盘镜像",
    },
    "disc.burn_interrupted": {
        "光盘 {volume} 第 {copy} 份的刻录中断了（{drive}，{at} 开始）：请把这张光盘放入刻录机，"
        "运行 avledger disc verify --drive {drive} --copy {copy}，完成或作废这次刻录"
    },
    "disc.build_busy": {"另一个制作任务正在写入目录 {path}，请等它结束后再试"},
    "disc.burning": {"光盘 {volume} 的第 {copy} 份正在刻录（{drive}，{at} 开始），请等它结束"},
    "disc.image_changed": {"镜像 {path} 与制作时登记的指纹不一致，请重新制作"},
    "disc.image_unreadable": {"无法读取镜像 {path}：{err}"},
    "disc.no_copy": {"光盘 {volume} 没有登记第 {copy} 份"},
    "disc.no_footage": {"没有可以刻录的音像资料"},
    "disc.no_image": {"没有这个镜像文件：{path}"},
    "disc.not_an_image": {"{path} 不是光盘镜像"},
    "disc.unknown": {"没有这个卷标的光盘：{volume}"},
    "disc.unrecognised": {"{drive} 中不是可识别的光盘"},
    "drive.unreadable": {"无法读取光盘 {drive}：{err}"},
    "evidence.bad_package": {
        "7z 包中的文件校验失败：{name}",
        "不是有效的 7z 包：{path}（{error}）",
    },
    "evidence.no_package": {"没有这个文件：{path}"},
    "evidence.password_file_empty": {"密码文件是空的：{path}"},
    "evidence.password_file_unreadable": {"无法读取密码文件：{path}（{error}）"},
    "evidence.password_mismatch": {"两次输入的密码不一致"},
    "evidence.password_needed": {"7z 包已加密，需要密码（--password-file）：{path}"},
    "evidence.wrong_password": {"7z 包的密码错误：{path}"},
    "gap.unknown": {"没有这个编号的记录中断：{id}"},
    "home.bad_config": {"配置文件 {path} 有误：{err}"},
    "home.not_a_folder": {"数据目录 {path} 不是文件夹，请指定一个文件夹（--home 或 AVLEDGER_HOME）"},
    "home.not_ours": {
        "{path} 中已有不属于 avledger 的文件（{names}，共 {n} 项），不能用作数据目录："
        "请指定一个新的或空的文件夹（--home 或 AVLEDGER_HOME）"
    },
    "home.unusable": {"无法使用数据目录 {path}：{err}"},
    "ingest.archive_busy": {"另一个采集任务正在写入存储 {path}，请等它结束后再试"},
    "ingest.av_missing": {"未安装 PyAV（av），无法读取音像文件信息；请重新运行 ./avledger 以安装依赖"},
    "ingest.copy_failed": {"复制 {name} 失败：{err}"},
    "ingest.stopped": {"{reason}：已入库并登记 {done} 个，余下 {left} 个未采集；排除问题后再次运行同一命令即可完成"},
    "ingest.no_source": {"找不到要采集的文件夹：{path}"},
    "ingest.not_planned": {"计划中没有第 {n} 个文件"},
    "input.bad_amount": {"金额格式不对：{value}"},
    "input.bad_bool": {"{label} 应为 是/否"},
    "input.bad_choice": {
        "{label}无效：{value}（可选：{choices}）",
        "设备状况无效：{value}（可选：ok damaged）",
    },
    "input.bad_date": {"{label}不是有效日期：“{value}”，应为 YYYY-MM-DD"},
    "input.bad_datetime": {"{label}格式不对：“{value}”，应为 YYYY-MM-DD HH:MM"},
    "input.time_missing": {"{label}须写到时、分：“{value}”后加上时间，如 {value} 09:30"},
    "input.bad_number": {"{label} 应为{kind}"},
    "input.control_chars": {"{label}含有控制字符或双向控制字符：{chars}，请删除后重新输入"},
    "input.not_finite": {"{label} 应为有限的数字：{value}"},
    "input.before_previous": {
        "时间不能早于领用（交接）时间 {time}",
        "结案日期不能早于执法活动开始日期 {date}",
        "返回时间不能早于 {time}",
        "送修时间不能早于故障登记时间 {time}",
        "领用时间不能早于该设备上次归还的时间（{time}）",
    },
    "input.empty": {
        "{label}不能为空",
        "密码不能为空",
        "请用 -o 指定输出文件",
        "请至少指定一名执法人员（--officer 工号）",
    },
    "input.end_before_start": {
        "应还时间应晚于领用时间",
        "开始日期 {start} 晚于结束日期 {end}",
        "结束时间应晚于开始时间",
        "停止执法的截止日期不能早于今天",
        "结束日期不能早于开始日期",
    },
    "input.future": {
        "{label}不能晚于现在：{value}",
        "购置日期不能晚于今天：{date}",
    },
    "input.one_of": {
        "请指定 --sent 或 --back",
        "请指定一项查阅范围：执法活动、案件编号或音像文件",
        "请指定执法活动编号或案号（二选一）",
    },
    "input.out_of_range": {
        "{label} 应在 {lo} 到 {hi} 之间",
        "份号应为 1 到 {n}",
        "剩余存储不能为负数：{value}",
        "电量应在 0 到 100 之间：{value}",
    },
    "input.past": {"有效期不能早于今天：{date}"},
    "liability.no_price": {"设备 {asset} 未登记原价，请注明赔偿金额（--amount）"},
    "loan.check_failed": {"使用前检查未通过：{failures}。如确需领用，请注明原因（--despite）"},
    "loan.not_out": {
        "设备 {asset} 没有在外的领用记录",
        "设备 {asset} 没有在外的领用记录，无法交接",
    },
    "loan.same_holder": {"交接双方不能是同一人"},
    "norecord.bad_recipient": {"{name}（{number}）不是在职的{role}，不能接收工作记录报告"},
    "norecord.too_few_signers": {"工作记录须由至少 {n} 名执法人员签字"},
    "office.already_initialised": {
        "数据目录 {path} 中已有登记库，示例办公室只能建在空的数据目录中",
        "登记库已经初始化（{unit}），不能再次初始化",
    },
    "office.not_initialised": {
        "数据目录 {path} 中还没有登记库，请先运行 avledger init 或 avledger demo",
        "登记库尚未初始化，请先运行 avledger init --unit 单位名称 --profile 预设",
    },
    "output.bad_suffix": {"输出文件 {path} 的扩展名应为 {suffixes}"},
    "output.is_folder": {"{path} 是一个目录"},
    "output.no_folder": {"输出目录不存在：{path}"},
    "output.not_empty": {"输出目录已存在且不是空目录：{path}"},
    "output.unwritable": {"无法写入输出位置 {path}：{err}"},
    "print.bad_filter": {"{register} 不能按 {options} 筛选（可用：{allowed}）"},
    "print.font_missing": {
        "找不到中文字体 {font}，打印需要它。请安装 Debian 软件包 {package}：sudo apt-get install {package}"
    },
    "print.glyphs_missing": {"字体 {font} 中没有这些字，印出来会是空框：{chars}"},
    "print.needs_filter": {"文字说明材料须指定执法活动（--activity）"},
    "print.template_error": {"模板 {file} 有误：{error}"},
    "print.template_missing": {"找不到登记表 {name} 的模板 {file}"},
    "print.unknown_register": {"没有这个登记表：{name}（可选：{choices}）"},
    "profile.below_regulation": {
        "{label}不得低于 {limit}：{article} 规定“{says}”（可以从严，不能放宽）",
        "{label}不得高于 {limit}：{article} 规定“{says}”（可以从严，不能放宽）",
    },
    "profile.bad_choice": {"配置项 {path} 的值无效：{value}（可选：{choices}）"},
    "profile.invalid": {
        "{label} 应在 {lo} 到 {hi} 之间",
        "办公室配置缺少项目：{path}",
        "配备标准 {cls} 类须为每台设备对应的人数（正整数）",
        "配置项 {path} 应为整数",
        "配置项 {path} 的类型不对",
        "默认配备类别无效",
    },
    "profile.not_editable": {"该项目不可修改：{path}"},
    "profile.unknown_preset": {"未知的预设：{preset}（可选：{choices}）"},
    "profile.unknown_role": {"未知的角色：{role}"},
    "profile.unknown_timezone": {"未知的时区：{tz}"},
    "repair.already_sent": {"设备 {asset} 已于 {time} 送修"},
    "repair.no_fault": {"设备 {asset} 没有待维修的故障登记"},
    "staff.left": {
        "{name}（{number}）已离职",
        "{name}（{number}）已离职，不能使用执法记录设备",
        "保管人 {name}（{number}）已离职，不能保管设备",
    },
    "register.unwritable": {
        "无法写入数据目录 {path} 中的登记库（{reason}）；本次操作未作任何更改，请检查磁盘的剩余空间和权限后再试"
    },
    "space.not_enough": {"{what}空间不足：{path} 需要 {needed}，只有 {free} 可用；请腾出空间或换一个位置后再试"},
    "space.ran_out": {
        "存储 {path} 的空间已用完，复制 {name} 时停止：已入库并登记 {done} 个，余下 {left} 个未采集；"
        "腾出空间后再次运行同一命令即可完成",
        "存储 {path} 的空间已用完，复制 {name} 时停止；未登记任何文件，请腾出空间后再次运行",
        "调取输出目录 {path} 的空间已用完；未留下任何文件，也未登记，请腾出空间后再试",
        "镜像输出目录 {path} 的空间已用完，写入镜像 {volume} 时停止：已写成并登记 {done} 张光盘的镜像，"
        "余下 {left} 张未写；腾出空间后再次运行同一命令即可完成",
        "镜像输出目录 {path} 的空间已用完，写入镜像 {volume} 时停止；未留下镜像，也未登记，请腾出空间后再试",
    },
    "staff.not_officer": {
        "{name}（{number}）没有执法证，不是执法人员",
        "{name}（{number}）没有执法证，不是执法人员，不能领用执法记录设备（转借他人属违规）",
    },
    "staff.number_taken": {"工号已存在：{number}"},
    "staff.os_user_taken": {"系统用户名已被其他人员使用：{user}"},
    "staff.suspended": {
        "{name}（{number}）被停止执法工作，{start} 至 {until}（过错责任追究 {id}），不能领用设备或参加执法活动"
    },
    "staff.unknown": {"没有这个工号的人员：{number}"},
    "violation.acknowledge_not_yours": {"只能签收对本人的追究决定；管理员可代为登记本人在纸质决定书上的签收"},
    "violation.acknowledged": {"过错责任 {id} 已由本人签收"},
    "violation.acknowledged_before_decision": {"签收时间不能早于决定时间 {decided}"},
    "violation.acknowledged_in_future": {"签收时间不能晚于现在"},
    "violation.bad_evidence": {"找不到作为证据的{what}：{id}"},
    "violation.decided": {"过错责任 {id} 已经作出决定"},
    "violation.decider_absent": {"只有决定人本人可以作出决定；管理员可代为登记纸质决定"},
    "violation.not_decided": {"过错责任 {id} 尚未作出决定，不能签收"},
    "violation.not_decider": {"{name}（{number}）不是{role}，不能作出追究决定"},
    "violation.paper_form_needed": {"代为登记决定时须填写纸质决定书编号（--paper-form）"},
    "violation.self_decision": {"不能对本人的过错作出决定"},
    "violation.unknown": {"没有这个编号的过错责任记录：{id}"},
    "violation.until_without_suspension": {"只有停止执法工作才有截止日期（--until）"},
    "write.failed": {
        "写入镜像 {path} 失败：{err}",
        "无法写入 {path}：{err}",
        "无法创建存储目录 {path}：{err}",
        "无法创建数据目录 {path}：{err}",
        "无法创建目录 {path}：{err}",
    },
    "write.readback_mismatch": {
        "7z 包回读校验不一致，已停止调取：{path}",
        "{name} 写入后回读校验不一致，已停止调取",
        "{name} 写入存储后回读校验不一致，已放弃（原文件未改动）",
    },
    "identity.not_owner": {
        "数据目录 {path} 属于账户 {owner}，账户 {account} 无权使用；请以 {owner} 登录，或请管理员为您登记 SSH 密钥"
    },
    "permission.denied": {"{who}无权{action}"},
    "spotcheck.bad_count": {"抽查数量应为正整数：{value}"},
    "spotcheck.bad_item": {"抽查项目应写作 项目=ok 或 项目=fail：{value}"},
    "spotcheck.bad_score": {"评分应为 0 到 100 的整数：{value}"},
    "spotcheck.bad_share": {"抽查比例应为大于 0、不超过 100 的百分数：{value}"},
    "spotcheck.closed": {"监督抽查 {id} 已结束，不能再登记"},
    "spotcheck.empty": {"{start} 至 {end} 期间没有可抽查的执法活动"},
    "spotcheck.not_drawn": {"执法活动 {activity} 不在监督抽查 {id} 的样本中"},
    "spotcheck.nothing": {"请至少登记一个抽查项目（--item 项目=ok|fail）"},
    "spotcheck.size": {"请给出抽查比例（--share）或抽查数量（--count）之一"},
    "spotcheck.unchecked": {"还有 {n} 项执法活动未逐项检查：{ids}"},
    "spotcheck.unknown": {"没有这个编号的监督抽查：{id}"},
    "ssh.bad_key": {
        "公钥已损坏：{kind} 之后的内容不是有效的密钥",
        "公钥文件应只有一行公钥，此文件有 {n} 行",
    },
    "ssh.bad_key_type": {"不是可用的 SSH 公钥：应以 {types} 之一开头"},
    "ssh.bad_path": {"路径中有换行符，不能写入 authorized_keys：{path}"},
    "ssh.broken_block": {"authorized_keys 中 avledger 的区块缺少结束行：{end}"},
    "ssh.command_refused": {
        "{name} 不是可以通过 SSH 使用的 avledger 命令",
        "通过 SSH 不能使用选项 {option}",
        "通过 SSH 运行的命令中不能有换行",
        "通过 SSH 运行的命令中没有 avledger 命令",
        "通过 SSH 运行的命令引号不配对",
    },
    "ssh.key_elsewhere": {"此公钥已写在 {path} 中 avledger 的区块之外，sshd 会先用那一行：请先删除那一行"},
    "ssh.key_not_active": {"SSH 密钥 {id} 没有对应的在职人员（未登记、已撤销，或人员已离职），不能使用"},
    "ssh.key_removed": {"密钥 {id} 已经撤销"},
    "ssh.key_taken": {"此公钥已登记（密钥 {id}，{name}（{number}））"},
    "ssh.key_unreadable": {"无法读取公钥文件 {path}：{err}"},
    "ssh.no_home": {"账户 {account} 没有主目录，请在 config.toml 的 [ssh] 中设置 authorized_keys"},
    "ssh.no_terminal": {"界面需要终端：请用 ssh -t 登录，或在登录命令后写一条 avledger 命令（如 whoami）"},
    "ssh.private_key": {"这是私钥，请给出公钥文件（.pub）；私钥不要交给任何人"},
    "ssh.read_failed": {"无法读取 {path}：{err}"},
    "ssh.unknown_key": {"没有这个编号的 SSH 密钥：{id}"},
    "ssh.weak_key": {"RSA 密钥只有 {bits} 位，至少需要 {min} 位"},
    "ssh.write_failed": {"无法写入 {path}：{err}"},
    "staff.owner_lockout": {"账户 {account} 是数据目录的所有者，只能对应可以管理人员对应关系的人员（管理员）"},
    "disposal.cancelled": {"清除计划 {id} 已经取消"},
    "disposal.tampered": {"清除计划 {id} 的文件清单与审计日志不符，不能执行；请运行 audit verify"},
    "activity.clips_outside": {
        "修改后执法活动 {activity} 的时间（{start} 至 {end}）不包括音像文件 {id}（{name}，录制于 {at}）"
        "等 {n} 个文件；须说明其仍属于该活动的原因，或先将其归入其他执法活动"
    },
    "disposal.started": {"清除计划 {id} 已经开始执行，不能取消"},
}


# --- what the source raises -------------------------------------------------------------------
def _message(node: ast.expr) -> str | None:
    """A message given as a literal or as N_("...")."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_" and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def refusals() -> list[tuple[str, ast.Call]]:
    """Every ``UserError(...)`` and ``PartlyDone(...)`` call in src/, with where it is."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in ("UserError", "PartlyDone"):
                    found.append((f"{path.relative_to(SRC)}:{node.lineno}", node))
    return found


def raised() -> dict[str, set[str]]:
    """code -> messages, as the source raises them."""
    mapping: dict[str, set[str]] = defaultdict(set)
    for _where, call in refusals():
        if len(call.args) >= 2 and isinstance(call.args[0], ast.Constant):
            mapping[call.args[0].value].add(_message(call.args[1]) or ast.unparse(call.args[1]))
    return dict(mapping)


# --- the tests ------------------------------------------------------------------------------
def test_the_source_raises_refusals():
    assert len(refusals()) > 150  # the walk finds them: the checks below can fail


def test_every_refusal_names_a_literal_code_then_its_message():
    wrong = []
    for where, call in refusals():
        code = call.args[0] if call.args else None
        if not (isinstance(code, ast.Constant) and isinstance(code.value, str) and CODE.match(code.value)):
            wrong.append(f"{where}: no literal code first: {ast.unparse(call)[:80]}")
        elif len(call.args) != 2 or _message(call.args[1]) is None:
            wrong.append(f"{where}: the message must follow the code, as a literal: {ast.unparse(call)[:80]}")
    assert wrong == []


def test_each_code_covers_the_messages_listed_for_it():
    """A code raised with a message not listed, or a code not listed at all, fails: one code, one situation."""
    found = raised()
    differs = {
        code: {"raised": sorted(found.get(code, ())), "listed": sorted(CODES.get(code, ()))}
        for code in sorted(set(found) | set(CODES))
        if found.get(code) != CODES.get(code)
    }
    assert differs == {}


def test_codes_are_dotted_lower_case():
    assert [c for c in CODES if not CODE.match(c)] == []


def test_user_error_needs_a_code():
    with pytest.raises(TypeError):
        UserError("没有这个科室：{name}", name="x")  # the message alone is no longer enough
    with pytest.raises(ValueError):
        UserError("Dept Unknown", "没有这个科室：{name}", name="x")
    error = UserError("dept.unknown", "没有这个科室：{name}", field="dept", name="执法九队")
    assert error.as_json() == {"code": "dept.unknown", "field": "dept", "message": "没有这个科室：执法九队"}
    assert error.exit_status == EXIT_REFUSED and PartlyDone.exit_status != EXIT_REFUSED


def test_a_lookup_names_the_callers_parameter(services):
    """The generic lookups name the parameter they were called for (a device's custodian, an officer)."""
    with pytest.raises(UserError) as info:
        services.staff.get("9999")
    assert (info.value.code, info.value.field) == ("staff.unknown", "number")
    with pytest.raises(UserError) as info:
        services.staff.get("9999", field="custodian")
    assert (info.value.code, info.value.field) == ("staff.unknown", "custodian")


# --- through the CLI ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["device", "show", "NO-SUCH"],  # device.unknown, from a service
        ["loan", "out", "JL-2023-001", "--to", "9999", "--battery", "90", "--free-gb", "30", "--clock-offset", "0"],
        ["device", "repair", "JL-2023-001"],  # input.one_of, raised by the CLI itself
        ["init", "--unit", "另一个单位", "--profile", "dalian"],  # office.already_initialised
        ["demo"],  # office.already_initialised: the sample office needs an empty data folder
    ],
)
def test_cli_refusals_exit_2(demo, cli, args):
    demo.close()
    result = cli(*args)
    assert result.code == EXIT_REFUSED, result.err
    assert result.err.strip() and "Traceback" not in result.err


def test_cli_refusal_before_init_exits_2(cli):
    result = cli("device", "list")  # office.not_initialised: no register in the data folder
    assert result.code == EXIT_REFUSED, result.err
    assert "avledger init" in result.err


if __name__ == "__main__":
    for code, messages in sorted(raised().items()):
        print(code)
        for message in sorted(messages):
            print("   ", message)
    sys.exit(0)
