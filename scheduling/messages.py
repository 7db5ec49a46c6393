"""Every human-readable text of the solver and the checker, in Chinese and English.

A message is an id with one ``str.format`` template per language (``zh``, ``en``) over the same
named fields; ``text(key, lang, **fields)`` fills one in. A message whose English needs a singular
("1 move") carries an ``en_one`` template and names its ``count`` field. Templates keep the rule
codes (E1–E3, H1–H8, L1–L3) at the start, as they stand, so machines and people can both read them.

Numbers are formatted by the helpers below (``percent``, ``per100``, ``km``, ``span``) or by the
format spec in the template (``{before:.4f}``), so that both languages show the same digits.
Names of areas, stages, backbone levels and statuses are messages too (``area_name`` …); school
labels are names in Chinese and ids in English (``school_labels``). Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

LANGS = ("zh", "en")
#: The library's default: existing callers keep the English of the contract. The CLI defaults to "zh".
DEFAULT_LANG = "en"

MESSAGES: Mapping[str, Mapping[str, str]] = {
    # ------------------------------------------------------------------ names
    "area.urban": {"zh": "城区", "en": "urban"},
    "area.town": {"zh": "镇区", "en": "town"},
    "area.rural": {"zh": "乡村", "en": "rural"},
    "stage.primary": {"zh": "小学", "en": "primary"},
    "stage.junior": {"zh": "初中", "en": "junior"},
    "backbone.none": {"zh": "非骨干", "en": "none"},
    "backbone.school": {"zh": "校级骨干", "en": "school"},
    "backbone.county": {"zh": "县级骨干", "en": "county"},
    "backbone.city": {"zh": "市级骨干", "en": "city"},
    "backbone.province": {"zh": "省级骨干", "en": "province"},
    "status.optimal": {"zh": "最优", "en": "optimal"},
    "status.feasible": {"zh": "可行", "en": "feasible"},
    "status.infeasible": {"zh": "无可行方案", "en": "infeasible"},
    "status.unknown": {"zh": "未知（限时内未找到方案）", "en": "unknown"},
    "when.before": {"zh": "交流前", "en": "before"},
    "when.after": {"zh": "交流后", "en": "after"},
    "join.list": {"zh": "、", "en": ", "},
    "join.semi": {"zh": "；", "en": "; "},
    "join.sentence": {"zh": "", "en": " "},
    "join.and": {"zh": "{first}和{second}", "en": "{first} and {second}"},
    "school.with_id": {"zh": "{name}（{id}）", "en": "{name} ({id})"},
    # ------------------------------------------------------------------ eligibility (rules.exclusion_text)
    "excl.E1": {
        "zh": "E1：在本校任教 {years} 年，需满 {required} 年",
        "en": "E1: {years} years at the school, {required} required",
    },
    "excl.E2.exempt": {
        "zh": "E2：本年度免于交流（孕期、患病或家庭困难等）",
        "en": "E2: exempt this year (pregnancy, illness or hardship)",
    },
    "excl.E2.on_exchange": {"zh": "E2：正在交流期内", "en": "E2: already on an exchange"},
    "excl.E3": {
        "zh": "E3：{year} 年满 {age} 岁，临近退休（须未满 {limit} 岁，即退休年龄 {retirement} 岁减 {buffer} 年）",
        "en": (
            "E3: aged {age} in {year}, near retirement (must be under {limit}: "
            "retirement age {retirement} minus {buffer})"
        ),
    },
    "excl.eligible": {"zh": "符合交流条件", "en": "eligible"},
    # ------------------------------------------------------------------ why a teacher moves (explain.move_reasons)
    "reason.eligible": {
        "zh": "E1–E3 均符合：在本校任教 {years} 年（需满 {required} 年），{age} 岁",
        "en": "E1–E3 met: {years} years at the school (≥ {required}), aged {age}",
    },
    "reason.areas": {"zh": "{origin} → {dest}（双向交流）", "en": "{origin} → {dest} (two-way exchange)"},
    "reason.L1": {
        "zh": "L1（高于规定学历教师每百名学生数）在{school}：{before} → {after}",
        "en": "L1 at {school}: {before} → {after} per 100 pupils",
    },
    "reason.L2": {
        "zh": "L2（县级以上骨干教师每百名学生数）在{school}：{before} → {after}",
        "en": "L2 at {school}: {before} → {after} per 100 pupils",
    },
    "reason.L3": {
        "zh": "L3（体育、艺术专任教师每百名学生数）在{school}：{before} → {after}",
        "en": "L3 at {school}: {before} → {after} per 100 pupils",
    },
    "reason.no_indicator": {
        "zh": "计入 H3 最低交流人数和各校人数平衡（不涉及 L1–L3 指标）",
        "en": "counts towards H3's minimum and the headcount balance (no L1–L3 indicator)",
    },
    "reason.backbone": {
        "zh": "骨干教师（{level}）：计入 H4 骨干教师比例",
        "en": "backbone ({level}): counts towards H4",
    },
    "reason.pinned": {"zh": "人事部门指定", "en": "pinned by HR"},
    "reason.paired": {"zh": "结对学校", "en": "paired schools"},
    "reason.wish": {"zh": "志愿第 {rank} 位", "en": "wish {rank}"},
    "reason.not_wished": {
        "zh": "不在本人填报的 {count} 个志愿中",
        "en": "not among the teacher's {count} wishes",
        "en_one": "not among the teacher's wishes ({count} given)",
        "count": "count",
    },
    "reason.no_wishes": {"zh": "本人未填报志愿", "en": "no wishes given"},
    "reason.km": {"zh": "距离 {km} 公里", "en": "{km} km"},
    # ------------------------------------------------------------------ why an eligible teacher stays (explain.stay_reasons)
    "stay.hr_teacher": {"zh": "人事部门：本轮不参加交流", "en": "HR: may not move this round"},
    "stay.hr_school": {
        "zh": "人事部门：{school}本轮不参加交流",
        "en": "HR: {school} takes no part in exchanges this round",
    },
    "stay.H2": {
        "zh": "H2：本县没有其他城乡类别且有{stage}学生的学校",
        "en": "H2: no school of another area class in the county teaches {stage}",
    },
    "stay.H6": {
        "zh": "H6：{school}已派出 {sent} 人，达到上限（{cap} 人）",
        "en": "H6: {school} already sends {sent}, its most ({cap})",
    },
    "stay.H7": {
        "zh": "H7：{school}仅剩的{subject}教师（{subject}为必开学科）",
        "en": "H7: {school}'s only remaining {subject} teacher ({subject} is required)",
    },
    "stay.hr_backbone": {
        "zh": "人事部门：{school}最多派出 {cap} 名骨干教师",
        "en": "HR: {school} may lose at most {cap} backbone teachers",
    },
    "stay.not_needed": {
        "zh": "无需交流：已有 {moves} 人交流，满足 H3（{bounds} 人）和 H4，其他人选更有利于指标均衡或代价更小",
        "en": (
            "not needed: {moves} moves already meet H3 ({bounds}) and H4, and other movers balance the "
            "indicators better or at lower cost"
        ),
    },
    # ------------------------------------------------------------------ solver notes (solver.counties[].notes)
    "note.pruned_no_plan": {
        "zh": "在精简后的去向学校中没有方案；限时内未能完成全面搜索",
        "en": "no plan among the pruned destinations; the full search did not finish in time",
    },
    "note.greedy": {
        "zh": "限时内搜索未找到方案，返回贪心算法方案",
        "en": "search found no plan in time; the greedy plan is returned",
    },
    "note.stopped": {
        "zh": "应要求提前停止：返回目前找到的最好方案",
        "en": "stopped on request: the best plan found so far is returned",
    },
    "note.pruned": {
        "zh": "每名教师的去向学校精简为 {count} 所",
        "en": "destinations pruned to {count} per teacher",
    },
    "note.kinds": {
        "zh": "大县：按类别汇总的模型（{variables} 个变量）给出方案（Σ CV² {objective:.4f}），其松弛给出已证明的下界 {bound:.4f}",
        "en": (
            "large county: the model by kinds ({variables} variables) gave the plan (Σ CV² {objective:.4f}) and its "
            "relaxation a proven lower bound of {bound:.4f}"
        ),
    },
    "note.lns": {
        "zh": "大县：从贪心方案（Σ CV² {start:.4f}）出发，经 {iterations} 次邻域搜索改进，采纳 {accepted} 次",
        "en": (
            "large county: greedy start (Σ CV² {start:.4f}) improved by {iterations} neighbourhood searches, "
            "{accepted} accepted"
        ),
    },
    # ------------------------------------------------------------------ infeasibility
    "inf.county": {"zh": "{county}：{line}", "en": "{county}: {line}"},
    "inf.pin.twice": {
        "zh": "人事部门指定 {teacher} 交流到{dest}，又指定到{other}：H1 规定每名教师最多交流一次。",
        "en": "HR pins {teacher} to {dest}, but also to {other}: H1 lets a teacher move at most once.",
    },
    "inf.pin.ineligible": {
        "zh": "人事部门指定 {teacher} 交流到{dest}，但 H1 只允许符合条件的教师交流，而 {teacher} 不符合条件（{why}）。",
        "en": (
            "HR pins {teacher} to {dest}, but H1 lets only eligible teachers move and {teacher} is not "
            "eligible ({why})."
        ),
    },
    "inf.pin.county": {
        "zh": "人事部门指定 {teacher} 交流到{dest}，但{dest}属于{dest_county}，而 {teacher} 在{origin_county}任教：H2 规定交流不跨县。",
        "en": (
            "HR pins {teacher} to {dest}, but {dest} is in {dest_county} and {teacher} works in "
            "{origin_county}: H2 keeps moves inside the county."
        ),
    },
    "inf.pin.h2": {
        "zh": "人事部门指定 {teacher} 交流到{dest}，但 H2 要求交流在两个不同城乡类别之间进行，且去向学校有本人学段的学生：{why}。",
        "en": (
            "HR pins {teacher} to {dest}, but H2 requires a move between two area classes to a school "
            "teaching the teacher's stage: {why}."
        ),
    },
    "inf.pin.why_own": {"zh": "这是本人所在学校", "en": "it is the teacher's own school"},
    "inf.pin.why_same_area": {"zh": "两校同为{area}学校", "en": "both schools are {area}"},
    "inf.pin.why_no_stage": {"zh": "{dest}没有{stage}学生", "en": "{dest} has no {stage} pupils"},
    "inf.pin.forbidden_teacher": {
        "zh": "人事部门指定 {teacher} 交流到{dest}，但人事部门同时规定 {teacher} 本轮不交流。",
        "en": "HR pins {teacher} to {dest}, but HR also forbids {teacher} to move this round.",
    },
    "inf.pin.closed": {
        "zh": "人事部门指定 {teacher} 交流到{dest}，但人事部门同时规定{closed}本轮不参加交流。",
        "en": "HR pins {teacher} to {dest}, but HR also closes {closed} to exchanges this round.",
    },
    "inf.pin.forbidden_move": {
        "zh": "人事部门指定 {teacher} 交流到{dest}，但人事部门同时禁止这一交流。",
        "en": "HR pins {teacher} to {dest}, but HR also forbids exactly this move.",
    },
    "inf.pin.too_many": {
        "zh": "人事部门指定了 {pinned} 人交流，但 H3 最多允许 {most} 人（{eligible} 名符合条件教师的 {share}）。",
        "en": "HR pins {pinned} moves, but H3 allows at most {most} ({share} of {eligible} eligible).",
        "en_one": "HR pins {pinned} move, but H3 allows at most {most} ({share} of {eligible} eligible).",
        "count": "pinned",
    },
    "inf.need": {
        "zh": "H3 要求至少交流 {fewest} 人（{eligible} 名符合条件教师的 {share}）",
        "en": "H3 needs at least {fewest} moves ({share} of {eligible} eligible teachers)",
        "en_one": "H3 needs at least {fewest} move ({share} of {eligible} eligible teachers)",
        "count": "fewest",
    },
    "inf.no_destination": {
        "zh": "{need}，但只有 {count} 名符合条件的教师有可去的学校（H2：本县其他城乡类别、有本人学段学生的学校{extra}）。",
        "en": (
            "{need}, but only {count} eligible teachers have a school they may go to "
            "(H2: another area class in the county, with pupils in their stage{extra})."
        ),
    },
    "inf.no_destination.barred": {
        "zh": "；另有 {count} 人因人事部门设置不能交流",
        "en": "; HR options keep {count} more at home",
    },
    "inf.h6_capacity": {
        "zh": "{need}，但按 H6，各校合计最多只能派出 {capacity} 名符合条件的教师（每校最多派出本校教师的 {share}，至少 1 人）。",
        "en": (
            "{need}, but H6 lets the schools send at most {capacity} of their eligible teachers in all "
            "(each school at most {share} of its staff, at least 1)."
        ),
    },
    "inf.area_capacity": {
        "zh": (
            "{need}，但每次交流都须在两个不同城乡类别之间进行（H2），而{names}学校共 {small} 所，在人数浮动范围（H5）"
            "和派出上限（H6）内最多只能承担 {most} 人交流；全县 {total} 所学校中有 {large} 所是{largest}学校。"
        ),
        "en": (
            "{need}, but every move joins two different area classes (H2), and the {small} {names} schools "
            "can take part in at most {most} moves in all within their headcount bands (H5) and outflow caps "
            "(H6); {large} of the {total} schools are {largest}."
        ),
    },
    "inf.h4_moves": {
        "zh": (
            "H4 和 H3 要求至少 {needed} 名骨干教师参与交流（至少 {fewest} 人交流中的 {share}）；"
            "符合条件的骨干教师共 {total} 名，能够交流的只有 {capacity} 名{where}。"
        ),
        "en": (
            "H4 and H3 need at least {needed} backbone movers ({share} of at least {fewest} moves); only "
            "{capacity} eligible backbone teachers can move{where}, of {total} eligible backbone teachers."
        ),
    },
    "inf.h4_eligible": {
        "zh": (
            "H4 要求至少 {needed} 名骨干教师参与交流（{eligible} 名符合条件教师的 {share}）；"
            "符合条件的骨干教师共 {total} 名，能够交流的只有 {capacity} 名{where}。"
        ),
        "en": (
            "H4 needs at least {needed} backbone movers ({share} of {eligible} eligible); only "
            "{capacity} eligible backbone teachers can move{where}, of {total} eligible backbone teachers."
        ),
    },
    "inf.h4_where.h6": {"zh": "（受各校 H6 派出上限限制）", "en": " (within each school's H6 outflow cap)"},
    "inf.h4_where.h6_hr": {
        "zh": "（受各校 H6 派出上限和人事部门骨干教师派出上限限制）",
        "en": " (within each school's H6 outflow cap and HR's backbone caps)",
    },
    "inf.H3-min": {
        "zh": "H3 要求至少交流 {fewest} 人（{eligible} 名符合条件教师的 {share}，向上取整）。",
        "en": "H3 needs at least {fewest} moves ({share} of {eligible} eligible teachers, rounded up).",
        "en_one": "H3 needs at least {fewest} move ({share} of {eligible} eligible teachers, rounded up).",
        "count": "fewest",
    },
    "inf.H3-max": {
        "zh": "H3 规定最多交流 {most} 人（{eligible} 名符合条件教师的 {share}，向下取整）。",
        "en": "H3 allows at most {most} moves ({share} of {eligible} eligible teachers, rounded down).",
        "en_one": "H3 allows at most {most} move ({share} of {eligible} eligible teachers, rounded down).",
        "count": "most",
    },
    "inf.H4.moves": {
        "zh": "H4 要求交流教师中县级以上骨干教师不少于 {share}；能够交流的符合条件骨干教师有 {movable} 名。",
        "en": (
            "H4 needs backbone teachers (county level or above) to be at least {share} of the movers; "
            "{movable} eligible backbone teachers can move."
        ),
    },
    "inf.H4.eligible": {
        "zh": "H4 要求交流的县级以上骨干教师不少于 {eligible} 名符合条件教师的 {share}；能够交流的符合条件骨干教师有 {movable} 名。",
        "en": (
            "H4 needs backbone teachers (county level or above) to be at least {share} of the {eligible} "
            "eligible; {movable} eligible backbone teachers can move."
        ),
    },
    "inf.H5": {
        "zh": "H5 要求每所学校交流后的教师人数保持在现有人数 ±{share} 以内（至少 ±1）；{total} 所学校中有 {tight} 所只能增减 1 人。",
        "en": (
            "H5 keeps every school's headcount within ±{share} of today (at least ±1); {tight} of {total} "
            "schools may gain or lose only one teacher."
        ),
    },
    "inf.H6": {
        "zh": "H6 规定每所学校最多派出本校教师的 {share}（至少 1 人）：合计只有 {capacity} 名符合条件的教师能够派出。",
        "en": (
            "H6 lets each school send at most {share} of its teachers (at least 1): {capacity} eligible "
            "teachers in all can leave their schools."
        ),
    },
    "inf.H7": {
        "zh": "H7 要求每所学校原有的必开学科都至少保留 1 名教师；共有 {count} 处必开学科的任课教师全部符合交流条件{example}。",
        "en": (
            "H7 keeps at least one teacher of each required subject at every school that has one; at "
            "{count} school subjects every such teacher is eligible to move{example}."
        ),
        "en_one": (
            "H7 keeps at least one teacher of each required subject at every school that has one; at "
            "{count} school subject every such teacher is eligible to move{example}."
        ),
        "count": "count",
    },
    "inf.H7.example": {"zh": "（如{items}）", "en": " (e.g. {items})"},
    "inf.H7.item": {"zh": "{school}{subject}", "en": "{school} {subject}"},
    "inf.H8": {
        "zh": "H8 要求各差异系数不高于限值（{limits}），已高于限值的不得变差；目前：{today}。",
        "en": (
            "H8 keeps each difference coefficient at or under its limit ({limits}), or no worse where it "
            "is above already; today: {today}."
        ),
    },
    "inf.H8.limit": {"zh": "{stage} {limit:g}", "en": "{stage} {limit:g}"},
    "inf.H8.today": {"zh": "{stage} {indicator} {cv:.2f}", "en": "{stage} {indicator} {cv:.2f}"},
    "inf.pin": {
        "zh": "人事部门指定了 {count} 人交流：{items}{more}。",
        "en": "HR pins {count} moves: {items}{more}.",
        "en_one": "HR pins {count} move: {items}{more}.",
        "count": "count",
    },
    "inf.pin.item": {"zh": "{teacher} → {dest}", "en": "{teacher} → {dest}"},
    "inf.backbone-cap": {
        "zh": "人事部门限制了部分学校可派出的骨干教师人数：{items}。",
        "en": "HR caps the backbone teachers some schools may lose: {items}.",
    },
    "inf.backbone-cap.item": {"zh": "{school}最多 {cap} 名", "en": "{school} at most {cap}"},
    "inf.not_narrowed": {
        "zh": "这些规则无法同时满足，但未能在限定时间内找出具体冲突：{sentences}",
        "en": "The rules could not all be met, but the conflict could not be narrowed down in time: {sentences}",
    },
    # ------------------------------------------------------------------ checker violations (check.validate)
    "chk.H1.unknown": {
        "zh": "第 {number} 条交流：教师 {teacher} 不在实例中",
        "en": "move {number}: teacher {teacher} is not in the instance",
    },
    "chk.H1.ineligible": {"zh": "{teacher} 不符合交流条件（{why}）", "en": "{teacher} is not eligible ({why})"},
    "chk.H1.twice": {
        "zh": "{teacher} 交流了 {count} 次；最多一次",
        "en": "{teacher} moves {count} times; at most once",
    },
    "chk.H1.origin": {
        "zh": "{teacher} 从{origin}交流出，但实例中其所在学校为{school}",
        "en": "{teacher} moves from {origin}, but the instance places them at {school}",
    },
    "chk.H2.unknown": {
        "zh": "{teacher} 交流到 {dest}，该学校不在实例中",
        "en": "{teacher} moves to {dest}, which is not in the instance",
    },
    "chk.H2.county": {
        "zh": "{teacher} 从{origin_county}的{origin}交流到{dest_county}的{dest}：交流不得跨县",
        "en": (
            "{teacher} moves from {origin} in {origin_county} to {dest} in {dest_county}: "
            "moves may not leave the county"
        ),
    },
    "chk.H2.area": {
        "zh": "{teacher} 从{origin}交流到{dest}，两校同为{area}学校：交流须在两个不同城乡类别之间进行",
        "en": "{teacher} moves from {origin} to {dest}, both {area}: a move must join two different area classes",
    },
    "chk.H2.stage": {
        "zh": "{teacher} 任教{stage}，但{dest}没有{stage}学生",
        "en": "{teacher} teaches {stage} but {dest} has no {stage} pupils",
    },
    "chk.H3.min": {
        "zh": "交流 {moves} 人，至少需要 {min} 人（{eligible} 名符合条件教师的 {share}，向上取整）",
        "en": "{moves} moves, at least {min} needed ({share} of {eligible} eligible, rounded up)",
    },
    "chk.H3.max": {
        "zh": "交流 {moves} 人，最多允许 {max} 人（{eligible} 名符合条件教师的 {share}，向下取整，但不少于最低人数 {min}）",
        "en": (
            "{moves} moves, at most {max} allowed ({share} of {eligible} eligible, rounded down, "
            "but not under the minimum {min})"
        ),
    },
    "chk.H4.moves": {
        "zh": "骨干教师交流 {backbone} 人，至少需要 {needed} 人（交流人数 {moves} 的 {share}，向上取整）",
        "en": "{backbone} backbone movers, at least {needed} needed ({share} of {moves} moves, rounded up)",
    },
    "chk.H4.eligible": {
        "zh": "骨干教师交流 {backbone} 人，至少需要 {needed} 人（{eligible} 名符合条件教师的 {share}，向上取整）",
        "en": "{backbone} backbone movers, at least {needed} needed ({share} of {eligible} eligible teachers, rounded up)",
    },
    "chk.H5": {
        "zh": "{school}交流后有教师 {after} 人；允许 {min}–{max} 人（现有 {now} 人，浮动 {share}，至少 1 人）",
        "en": (
            "{school} has {after} teachers after the moves; allowed {min} to {max} ({now} now, band {share}, "
            "at least 1)"
        ),
    },
    "chk.H6": {
        "zh": "{school}派出 {sent} 人（现有教师 {now} 人）；最多 {max} 人（{share}，向下取整，至少 1 人）",
        "en": "{school} sends {sent} of its {now} teachers; at most {max} ({share}, rounded down, at least 1)",
    },
    "chk.H7": {
        "zh": "{school}原有{subject}教师 {before} 人，交流后一人不剩；{subject}是该校必开学科",
        "en": "{school} had {before} {subject} teacher(s) and keeps none; {subject} is required there",
    },
    "chk.H8.worse": {
        "zh": "{stage} {indicator} 差异系数原为 {before:.4f}，已高于限值 {limit:g}，交流后更差：{after:.4f}",
        "en": (
            "{stage} {indicator} difference coefficient was {before:.4f}, above the limit {limit:g}, "
            "and gets worse: {after:.4f}"
        ),
    },
    "chk.H8.rises": {
        "zh": "{stage} {indicator} 差异系数从 {before:.4f} 升至 {after:.4f}，超过限值 {limit:g}",
        "en": "{stage} {indicator} difference coefficient rises from {before:.4f} to {after:.4f}, above the limit {limit:g}",
    },
    "chk.PIN": {
        "zh": "指定的交流 {teacher} → {dest} 不在方案中",
        "en": "pinned move {teacher} → {dest} is not in the plan",
    },
    "chk.FORBID.move": {
        "zh": "禁止的交流 {teacher} → {dest} 出现在方案中",
        "en": "forbidden move {teacher} → {dest} is in the plan",
    },
    "chk.FORBID.teacher": {
        "zh": "{teacher} 本轮不得交流，但出现在方案中",
        "en": "{teacher} may not move this round but is in the plan",
    },
    "chk.FORBID.school": {
        "zh": "{school}本轮既不派出也不接收教师，但方案中有 {teacher}：{origin} → {dest}",
        "en": "{school} may neither send nor receive teachers, but {teacher} moves {origin} → {dest}",
    },
    "chk.BACKBONE_CAP": {
        "zh": "{school}派出骨干教师 {sent} 人；最多允许 {cap} 人",
        "en": "{school} sends {sent} backbone teachers; at most {cap} allowed",
    },
    # ------------------------------------------------------------------ checker report (check.run_check)
    "rep.cannot_read_instance": {"zh": "无法读取实例 {path}：{error}", "en": "cannot read instance {path}: {error}"},
    "rep.cannot_read_plan": {"zh": "无法读取方案 {path}：{error}", "en": "cannot read plan {path}: {error}"},
    "rep.instance": {
        "zh": "实例：{name}（学校 {schools} 所，教师 {teachers} 名，县区 {counties} 个）",
        "en": "instance: {name} ({schools} schools, {teachers} teachers, counties: {counties})",
    },
    "rep.plan": {"zh": "方案：状态 {status}，交流 {moves} 人", "en": "plan: status {status}, {moves} moves"},
    "rep.violations": {"zh": "违规：{count} 条", "en": "violations: {count}"},
    "rep.violations_none": {"zh": "违规：无", "en": "violations: none"},
    "rep.metrics": {"zh": "差异系数（交流前 → 交流后）：", "en": "difference coefficients (before -> after):"},
    "rep.no_coefficient": {
        "zh": "{county}：无差异系数（各学段学生满 50 人的学校均不足两所）",
        "en": "{county}: no coefficient (fewer than two schools with 50+ pupils in a stage)",
    },
    "rep.metrics_row": {"zh": "{county} {stage}：{cells}", "en": "{county} {stage}: {cells}"},
    "rep.metrics_cell": {
        "zh": "{indicator} {before:.4f} → {after:.4f}",
        "en": "{indicator} {before:.4f} -> {after:.4f}",
    },
    "rep.compliance": {"zh": "合规情况：", "en": "compliance:"},
    "rep.county": {"zh": "{county}：", "en": "{county}:"},
    "rep.ok": {"zh": "符合  ", "en": "ok    "},
    "rep.failed": {"zh": "不符合", "en": "FAILED"},
    "rep.H3": {
        "zh": "交流 {moves} 人（最少 {min} 人，{maximum}；符合条件 {eligible} 人）",
        "en": "{moves} moves (min {min}, {maximum}; {eligible} eligible)",
    },
    "rep.H3.max": {"zh": "最多 {max} 人", "en": "max {max}"},
    "rep.H3.no_max": {"zh": "无上限", "en": "no maximum"},
    "rep.H4": {
        "zh": "骨干教师交流 {backbone} 人（需 {needed} 人）",
        "en": "{backbone} backbone movers (needed {needed})",
    },
    "rep.H5": {
        "zh": "{schools} 所学校中 {count} 所超出人数浮动范围",
        "en": "{count} of {schools} schools outside the headcount band",
    },
    "rep.H6": {
        "zh": "{schools} 所学校中 {count} 所超过派出上限",
        "en": "{count} of {schools} schools over the outflow cap",
    },
    "rep.H7": {"zh": "{checked} 个必开学科中 {count} 个无人任教", "en": "{count} of {checked} required subjects lost"},
    "rep.H8": {
        "zh": "{total} 个差异系数中 {count} 个超过限值且未改善",
        "en": "{count} of {total} coefficients over the limit and not improved",
    },
    "rep.H8.none": {"zh": "未设差异系数限值", "en": "no cv_limit given"},
    "rep.note": {"zh": "注意：{note}", "en": "note: {note}"},
    "rep.note.excluded": {
        "zh": "方案中的不符合条件名单（excluded）与重新计算的结果有 {count} 处不同（第一处：{first}）",
        "en": "the plan's 'excluded' differs from the recomputation for {count} entries (first: {first})",
    },
    "rep.note.claim": {
        "zh": "方案声称{when} {county} {stage} {indicator} = {claim}；重新计算为 {value:.4f}",
        "en": "the plan claims {when} {county} {stage} {indicator} = {claim}; recomputed {value:.4f}",
    },
    "rep.result.no_plan": {"zh": "结论：没有方案（状态：{status}）", "en": "result: no plan (status {status})"},
    "rep.result.ok": {"zh": "结论：通过，所有硬性规则均满足", "en": "result: OK, every hard rule holds"},
    "rep.result.violations": {"zh": "结论：{count} 处违规", "en": "result: {count} violation(s)"},
    # ------------------------------------------------------------------ command line (python -m scheduling solve)
    "cli.summary": {
        "zh": "{path}：状态 {status}，交流 {moves} 人{objective}，用时 {seconds:.1f} 秒",
        "en": "{path}: status {status}, {moves} moves{objective}, {seconds:.1f} s",
    },
    "cli.objective": {"zh": "，CV² 之和 {objective}", "en": ", sum of CV² {objective}"},
    "cli.bad_time_limit": {
        "zh": "--time-limit：须大于 0，实际为 {limit}",
        "en": "--time-limit: must be > 0, got {limit}",
    },
    "cli.solver_error": {
        "zh": "求解出错，已写出状态为 unknown 的方案：{error}",
        "en": "solver error, plan written with status unknown: {error}",
    },
    "gen.size": {
        "zh": "规模：county（一个县，40 所学校）、prefecture（6 个县，240 所）、district（一个县，300 所）或 custom",
        "en": "size: county (one county, 40 schools), prefecture (6 counties, 240), district (one county, 300) or custom",
    },
    "gen.schools": {"zh": "学校数（custom 时必填）", "en": "number of schools (required with custom)"},
    "gen.counties": {"zh": "县数（custom 时使用，默认 1）", "en": "number of counties (with custom, default 1)"},
    "gen.seed": {"zh": "随机种子（同样的参数总是生成同样的算例）", "en": "random seed (the same arguments always give the same instance)"},
    "gen.policy": {
        "zh": "政策：national（国家指导意见的数值）或 strict（要求更高的县）",
        "en": "policy: national (the national guideline's numbers) or strict (a bureau that asks more)",
    },
    "gen.teaching_points": {
        "zh": "乡村学校中教学点（不足 50 名学生）的比例，默认 0.25",
        "en": "share of village schools that are teaching points (under 50 pupils), default 0.25",
    },
    "gen.year": {"zh": "交流年度", "en": "rotation year"},
    "gen.output": {"zh": "写出算例的文件（rotation-instance/1）", "en": "where to write the instance (rotation-instance/1)"},
    "gen.need_schools": {"zh": "custom 规模需要 --schools", "en": "custom size needs --schools"},
    "gen.bad_sizes": {
        "zh": "无法生成：{schools} 所学校、{counties} 个县、教学点比例 {share}（每个县至少一所学校，比例在 0 到 1 之间）",
        "en": (
            "cannot generate: {schools} schools, {counties} counties, teaching-point share {share} "
            "(at least one school per county, a share between 0 and 1)"
        ),
    },
    "gen.done": {
        "zh": "{path}：{counties} 个县，{schools} 所学校，{teachers} 名教师",
        "en": "{path}: {counties} counties, {schools} schools, {teachers} teachers",
    },
    "cli.description": {"zh": "教师交流轮岗求解器：求解、检查、生成算例、基准测试。", "en": "Teacher rotation solver (交流轮岗): solve, check, generate, benchmark."},
    "cli.help": {"zh": "显示本帮助并退出", "en": "show this help and exit"},
    "cli.commands": {"zh": "命令", "en": "commands"},
    "cli.lang": {"zh": "输出语言：zh（中文，默认）或 en（英文）", "en": "language of the output: zh (Chinese, the default) or en (English)"},
    "cli.solve": {"zh": "为算例提出交流方案", "en": "propose a rotation plan for an instance"},
    "cli.check": {"zh": "按算例检查方案（退出码 0 表示所有规则都满足）", "en": "check a plan against its instance (exit 0 = every rule holds)"},
    "cli.generate": {"zh": "生成合成算例（rotation-instance/1）", "en": "make a synthetic instance (rotation-instance/1)"},
    "cli.bench": {"zh": "本求解器与直接参考模型并列的基准测试", "en": "benchmark this solver and the direct reference model side by side"},
    "cli.instance": {"zh": "算例文件（rotation-instance/1 JSON）", "en": "instance file (rotation-instance/1 JSON)"},
    "cli.plan": {"zh": "方案文件（rotation-plan/1 JSON）", "en": "plan file (rotation-plan/1 JSON)"},
    "cli.output": {"zh": "写出方案的文件（rotation-plan/1）", "en": "where to write the plan (rotation-plan/1)"},
    "cli.time_limit": {"zh": "时限（秒，默认取算例的 policy.time_limit_s）", "en": "seconds (default: the instance's policy.time_limit_s)"},
    "cli.workers": {"zh": "CP-SAT 线程数（默认：CPU 核数，最多 8）", "en": "CP-SAT threads (default: the cores, up to 8)"},
    "cli.seed": {"zh": "随机种子", "en": "random seed"},
    "cli.bench.sizes": {
        "zh": "逗号分隔的算例：county、prefecture、district、county-strict、county-points、county-none、county-large",
        "en": "comma list of instances: county, prefecture, district, county-strict, county-points, county-none, county-large",
    },
    "cli.bench.workers": {"zh": "两个求解器的 CP-SAT 线程数（默认 2）", "en": "CP-SAT threads of both solvers (default 2)"},
    "cli.bench.long": {"zh": "两个求解器各运行 15 分钟，确定每个算例的已知最好方案", "en": "run both for 15 minutes to establish each instance's best known plan"},
    "cli.bench.out": {"zh": "写出算例和方案的文件夹", "en": "folder for the generated instances and plans"},
    "cli.usage_error": {"zh": "{prog}：参数错误：{error}", "en": "{prog}: error: {error}"},
    "bench.unknown_size": {"zh": "--sizes：未知算例 {size!r}；可选：{sizes}", "en": "--sizes: unknown instance {size!r}; choose from {sizes}"},
    "bench.no_reference": {"zh": "缺少参考模型：{path}/direct_model.py（需在仓库目录中运行）", "en": "the reference model is missing: {path}/direct_model.py (run from the repository)"},
    "bench.failed": {"zh": "{size}（{which}）运行失败：\n{error}", "en": "{size} ({which}) failed:\n{error}"},
    "bench.header": {
        "zh": "基准测试 {date}，{mode}，线程 {workers}，开始时负载 {load}",
        "en": "benchmark {date}, {mode}, workers {workers}, load at start {load}",
    },
    "bench.normal": {"zh": "时限取算例设定", "en": "the instances' own time limits"},
    "bench.limit": {"zh": "时限 {limit:g} 秒", "en": "time limit {limit:g} s"},
    "bench.long": {"zh": "长时运行（各 15 分钟）", "en": "long run (15 minutes each)"},
    "bench.load_after": {"zh": "结束时负载 {load}", "en": "load at the end {load}"},
    "bench.ratio": {
        "zh": "比值（本求解器 / 参考模型）：Σ CV² {cv}，用时 {wall}，内存 {mem}",
        "en": "ratio (this solver / reference): Σ CV² {cv}, wall {wall}, memory {mem}",
    },
    "bench.detail": {"zh": "证明最优的县：{proved}/{counties}", "en": "counties proved optimal: {proved}/{counties}"},
    "bench.detail.direct": {
        "zh": "证明其固定均值目标最优的县：{proved}/{counties}（其下界针对该近似目标，不是精确目标）",
        "en": "counties proved optimal on its fixed-mean objective: {proved}/{counties} (its bound is of that surrogate, not of the exact objective)",
    },
    "bench.who.solver": {"zh": "本求解器", "en": "solver"},
    "bench.who.direct": {"zh": "参考模型", "en": "direct"},
    "bench.col.instance": {"zh": "算例", "en": "instance"},
    "bench.col.who": {"zh": "求解器", "en": "who"},
    "bench.col.teachers": {"zh": "教师", "en": "teachers"},
    "bench.col.status": {"zh": "状态", "en": "status"},
    "bench.col.sum_cv2": {"zh": "ΣCV²", "en": "ΣCV²"},
    "bench.col.bound": {"zh": "下界", "en": "bound"},
    "bench.col.gap": {"zh": "差距", "en": "gap"},
    "bench.col.wall_s": {"zh": "用时秒", "en": "wall s"},
    "bench.col.rss_mb": {"zh": "内存MB", "en": "RSS MB"},
    "bench.col.violations": {"zh": "违规", "en": "viol."},
    "cli.cannot_write": {"zh": "无法写出方案 {path}：{error}", "en": "cannot write plan {path}: {error}"},
}


#: argparse's own words (usage, section titles, errors) in Chinese; ``scheduling.__main__`` installs them.
ARGPARSE_ZH: Mapping[str, str] = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "the following arguments are required: %s": "缺少必填参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效选项：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "show this help message and exit": "显示本帮助并退出",
}


def check_lang(lang: str) -> str:
    """``lang`` itself when it is one of ``LANGS``; otherwise ``ValueError`` naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def text(key: str, lang: str = DEFAULT_LANG, /, **fields: Any) -> str:
    """Message ``key`` in ``lang`` ("zh" or "en") with its named ``fields`` filled in.

    An English message with an ``en_one`` form uses it when its ``count`` field is 1.
    """
    entry = MESSAGES[key]
    template = entry[check_lang(lang)]
    count = entry.get("count")
    if count is not None and fields.get(count) == 1 and f"{lang}_one" in entry:
        template = entry[f"{lang}_one"]
    return template.format(**fields)


# --------------------------------------------------------------------------- numbers


def exclusion_sentence(code: str | None, teacher: Any, policy: Any, year: int, lang: str = DEFAULT_LANG) -> str:
    """The words for an eligibility result already decided (``code`` E1/E2/E3 or None), with the numbers.

    Wording only: the decision is the caller's (the solver's ``rules`` and the checker each decide alone)."""
    if code == "E1":
        return text("excl.E1", lang, years=teacher.years_at_school, required=policy.min_years_at_school)
    if code == "E2":
        return text("excl.E2.exempt" if teacher.exempt else "excl.E2.on_exchange", lang)
    if code == "E3":
        retirement = policy.retirement_age[teacher.gender]
        return text(
            "excl.E3",
            lang,
            age=year - teacher.birth_year,
            year=year,
            limit=retirement - policy.retirement_buffer_years,
            retirement=retirement,
            buffer=policy.retirement_buffer_years,
        )
    return text("excl.eligible", lang)


def percent(share: float) -> str:
    """A share as a percentage, as written: ``0.1`` → "10%", ``0.125`` → "12.5%"."""
    return f"{share * 100:g}%"


def per100(value: float) -> str:
    """A per-100-pupils value with 2 decimals: "0.31"."""
    return f"{value:.2f}"


def km(value: float) -> str:
    """A distance in kilometres with 1 decimal: "12.3"."""
    return f"{value:.1f}"


def span(low: int, high: int | None) -> str:
    """A count range: "3" when there is no upper end, "3–7" otherwise."""
    return str(low) if high is None else f"{low}–{high}"


# --------------------------------------------------------------------------- names


def area_name(area: str, lang: str = DEFAULT_LANG) -> str:
    """城区 / 镇区 / 乡村, or urban / town / rural (an unknown code is returned as it is)."""
    return text(f"area.{area}", lang) if f"area.{area}" in MESSAGES else area


def stage_name(stage: str, lang: str = DEFAULT_LANG) -> str:
    """小学 / 初中, or primary / junior."""
    return text(f"stage.{stage}", lang) if f"stage.{stage}" in MESSAGES else stage


def backbone_name(level: str, lang: str = DEFAULT_LANG) -> str:
    """县级骨干 …, or the level code in English."""
    return text(f"backbone.{level}", lang) if f"backbone.{level}" in MESSAGES else level


def status_name(status: str, lang: str = DEFAULT_LANG) -> str:
    """最优 / 可行 / 无可行方案 / 未知, or the status code in English."""
    return text(f"status.{status}", lang) if f"status.{status}" in MESSAGES else status


def join(items: Iterable[str], lang: str = DEFAULT_LANG, kind: str = "list") -> str:
    """Items joined as a list ("、" / ", "), by semicolons ("；" / "; ") or as sentences ("" / " ")."""
    return text(f"join.{kind}", lang).join(items)


def school_labels(schools: Iterable[Any], lang: str = DEFAULT_LANG, *, with_id: bool = False) -> dict[str, str]:
    """School id → how texts in ``lang`` name it.

    English keeps the id (as the contract's texts always have). Chinese uses the name; with the id
    in brackets when ``with_id`` is set, when another school has the same name, or when the name
    is empty. ``schools`` are objects with ``id`` and ``name``.
    """
    schools = list(schools)
    if check_lang(lang) == "en":
        return {s.id: s.id for s in schools}
    seen: dict[str, int] = {}
    for s in schools:
        seen[s.name] = seen.get(s.name, 0) + 1
    labels = {}
    for s in schools:
        if not s.name or s.name == s.id:
            labels[s.id] = s.id
        elif with_id or seen[s.name] > 1:
            labels[s.id] = text("school.with_id", lang, name=s.name, id=s.id)
        else:
            labels[s.id] = s.name
    return labels
