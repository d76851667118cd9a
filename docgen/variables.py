"""The context contract of the built-in templates: what each kind of document may use.

``VARIABLES[kind]`` maps a variable to its Chinese description. Dotted names are
fields of a dict (``case.number`` is ``context["case"]["number"]``); ``xs[].f``
names field ``f`` of every item of list ``xs``. All dates arrive as finished
strings such as "2026年3月5日" (the ``cn_date`` filter makes them from dates), and
the document number arrives fully formatted, such as "高征争转〔2026〕7号".
A line break inside a value starts a new paragraph with the same format.

``sample_context(kind)`` returns a realistic (高平) context holding every variable;
tests, ``check_template`` and the reference page render it.
"""

from __future__ import annotations

import copy

KIND_LABELS: dict[str, str] = {
    "acknowledgement": "受理回执",
    "transfer_notice": "转办单",
    "minutes": "会议纪要",
    "handling_opinion": "书面处理意见",
    "feedback_letter": "反馈函",
    "supervision_notice": "通报",
}

_HEAD = {
    "issuer": "发文机关标志（红色版头文字），如“高平市社会保险费征缴争议处置工作专班办公室”",
    "doc_number": "发文字号，已按文号规则排好，如“高征争转〔2026〕7号”",
}
_MAIN = {
    "title": "标题",
    "recipient": "主送机关或当事人称谓，不含冒号（模板自动加“：”）",
}
_SIGN = {
    "sender": "发文机关署名",
    "date_cn": "成文日期，如“2026年3月5日”",
}
_CC = {"cc": "抄送机关（字符串列表，可为空；为空时不印抄送行）"}
_PRINTED = {
    "printed_by": "印发机关",
    "printed_date_cn": "印发日期，如“2026年3月5日”",
}
_CONTACT = {
    "contact_person": "联系人（经办人）",
    "contact_phone": "联系电话",
}
_CASE = {
    "case.number": "受理编号，如“GP-2026-000123”",
    "case.query_code": "进度查询码",
    "case.accepted_date_cn": "受理日期",
    "case.channel": "受理渠道，如“12345政务服务便民热线”",
    "case.complainant_name": "反映人（用人单位名称或个人姓名）",
    "case.complainant_type": "反映人类型：“用人单位”或“个人”",
    "case.complainant_id_masked": "统一社会信用代码或居民身份证号码（已脱敏）",
    "case.complainant_phone_masked": "反映人联系电话（已脱敏）",
    "case.category": "争议类别，如“社会保险费缴费金额”",
    "case.tier": "事项等级，如“一般事项”",
    "case.facts": "主要事实",
    "case.request": "诉求",
    "case.lead_unit": "牵头（承办）单位",
    "case.co_units": "协办单位，多个用“、”分隔；没有则为空",
    "case.deadline_cn": "办结（反馈）时限，如“2026年3月10日”",
    "case.deadline_workdays": "办结时限的工作日数，如“5”；为空时不印括注",
}


def _case(*names: str) -> dict[str, str]:
    return {f"case.{n}": _CASE[f"case.{n}"] for n in names}


VARIABLES: dict[str, dict[str, str]] = {
    "acknowledgement": {
        **_HEAD, **_MAIN, **_SIGN, **_CC, **_PRINTED, **_CONTACT,
        **_case("number", "query_code", "accepted_date_cn", "channel", "category",
                "deadline_cn"),
        "query_method": "进度查询方式，如网址或电话",
    },
    "transfer_notice": {
        **_HEAD, **_MAIN, **_SIGN, **_CC, **_PRINTED, **_CONTACT,
        **{k: v for k, v in _CASE.items() if k != "case.query_code"},  # the payer's, not the unit's
        "signer": "签发人（批准转办的负责人）",
        "forum": "会商机构简称，如“工作专班”“联席会议”（机制的会商机构）",
    },
    "minutes": {
        **_HEAD,
        "issuer": "纪要标志（红色），如“高平市社会保险费征缴争议处置工作专班会议纪要”",
        "date_cn": "成文日期（印在发文字号右侧）",
        **_CC, **_PRINTED,
        "meeting.title": "纪要标题，如“工作专班2026年第3次集体商议会议纪要”",
        "meeting.name": "会议名称，如“工作专班集体商议会议”",
        "meeting.date_cn": "会议日期",
        "meeting.place": "会议地点",
        "meeting.chair": "主持人",
        "meeting.attendees": "出席人员（单位及姓名，用“，”分隔）",
        "meeting.absentees": "请假人员；没有则为空，整行不印",
        "meeting.observers": "列席人员；没有则为空，整行不印",
        "meeting.items": "商议事项列表，每项含 case_number、summary、decision",
        "meeting.items[].case_number": "受理编号",
        "meeting.items[].summary": "争议概要",
        "meeting.items[].decision": "会议议定意见",
    },
    "handling_opinion": {
        **_HEAD, **_MAIN, **_SIGN, **_CC, **_PRINTED, **_CONTACT,
        **_case("number", "complainant_name", "category", "facts", "request", "lead_unit",
                "co_units", "deadline_cn"),
        "meeting_date_cn": "集体商议日期",
        "minutes_number": "会议纪要文号，如“高征争纪〔2026〕3号”",
        "opinion": "处理意见正文",
        "forum": "会商机构简称，如“工作专班”“联席会议”（机制的会商机构）",
    },
    "feedback_letter": {
        **_HEAD, **_MAIN, **_SIGN, **_CC, **_CONTACT,
        **_case("number", "accepted_date_cn", "category", "lead_unit"),
        "party": "致送对象：“反映人”或“用人单位”；致用人单位的函不写反映人的身份",
        "result": "处理结果",
        "reconsideration_body": "行政复议机关；为空时只写“依法申请行政复议”",
        "court": "受理行政诉讼的人民法院；为空时写“人民法院”",
        "guidance_unit": "提供复议、诉讼程序指导的单位（如司法局）；为空时不印该句",
    },
    "supervision_notice": {
        **_HEAD, **_MAIN, **_SIGN, **_CC, **_PRINTED,
        "issuer": "发文机关标志（文件格式），如“高平市社会保险费征缴争议处置工作专班办公室文件”",
        "period_label": "通报期间，如“2026年第一季度”",
        "as_of_date_cn": "统计截止日期",
        "rows": "逾期单位列表，每项含 unit、overdue_count、oldest_days、cases",
        "rows[].unit": "单位名称",
        "rows[].overdue_count": "逾期未办结件数（整数）",
        "rows[].oldest_days": "最长逾期工作日数（整数）",
        "rows[].cases": "逾期事项受理编号，用“、”分隔",
        "rectify_deadline_cn": "整改时限",
        "forum": "会商机构简称，如“工作专班”“联席会议”（机制的会商机构）",
    },
}


def top_level_fields(kind: str) -> dict[str, set[str]]:
    """``{"case": {"number", …}, "title": set(), "rows": set(), …}`` for ``kind``.

    List item fields are not included: they belong to the loop variable.
    """
    out: dict[str, set[str]] = {}
    for name in VARIABLES[kind]:
        head, _, rest = name.partition(".")
        head = head.removesuffix("[]").split("[")[0]
        fields = out.setdefault(head, set())
        if rest and "[]" not in name:
            fields.add(rest)
    return out


# --- samples ----------------------------------------------------------------------------

_OFFICE = "高平市社会保险费征缴争议处置工作专班办公室"
_HRSS = "高平市人力资源和社会保障局"
_TAX = "国家税务总局高平市税务局"

_SAMPLE_CASE = {
    "number": "GP-2026-000123",
    "query_code": "K7Q2M9TD",
    "accepted_date_cn": "2026年3月2日",
    "channel": "12345政务服务便民热线",
    "complainant_name": "李建军",
    "complainant_type": "个人",
    "complainant_id_masked": "140581********3018",
    "complainant_phone_masked": "139****6621",
    "category": "社会保险登记和关系转移",
    "tier": "一般事项",
    "facts": (
        "反映人称其2009年至2013年在高平市某煤业有限公司从事井下辅助工作，单位未为其办理"
        "企业职工基本养老保险参保登记。2014年起其在河南省参保缴费，现回高平工作，申请补缴"
        "上述期间的养老保险费并将养老保险关系转入本市。\n政务大厅窗口初审认为，该事项涉及应办"
        "未办参保登记的核定和跨省关系转移，无法当场办结。"
    ),
    "request": "核实劳动关系，补缴2009年至2013年养老保险费，将养老保险关系转入高平市。",
    "lead_unit": _HRSS,
    "co_units": _TAX,
    "deadline_cn": "2026年3月10日",
    "deadline_workdays": 5,
}

_COMMON = {
    "issuer": _OFFICE,
    "recipient": _HRSS,
    "sender": _OFFICE,
    "cc": ["高平市人民政府办公室", _TAX],
    "printed_by": "高平市征缴争议处置工作专班办公室",  # 规范化简称: fits the 印发 line
    "contact_person": "赵丽娟",
    "contact_phone": "0356-5226012",
    "forum": "工作专班",
}


def _sample(kind: str) -> dict:
    case = copy.deepcopy(_SAMPLE_CASE)
    if kind == "acknowledgement":
        return {
            **_COMMON, "doc_number": "高征争受〔2026〕15号", "title": "社会保险费征缴争议事项受理回执",
            "recipient": "李建军", "date_cn": "2026年3月2日", "cc": [],
            "printed_date_cn": "2026年3月2日", "case": case,
            "query_method": "“征缴争议一站结”网站“进度查询”栏目",
        }
    if kind == "transfer_notice":
        return {
            **_COMMON, "doc_number": "高征争转〔2026〕7号", "title": "社会保险费征缴争议事项转办单",
            "date_cn": "2026年3月3日", "printed_date_cn": "2026年3月3日", "case": case,
            "signer": "王建国",
        }
    if kind == "minutes":
        return {
            **_COMMON, "issuer": "高平市社会保险费征缴争议处置工作专班会议纪要",
            "doc_number": "高征争纪〔2026〕3号", "date_cn": "2026年3月13日",
            "printed_date_cn": "2026年3月13日", "cc": ["工作专班各成员单位"],
            "meeting": {
                "title": "工作专班2026年第3次集体商议会议纪要",
                "name": "社会保险费征缴争议处置工作专班集体商议会议",
                "date_cn": "2026年3月12日",
                "place": "国家税务总局高平市税务局三楼会议室",
                "chair": "市政府常务副市长张志刚",
                "attendees": "张志刚，刘海峰（市政府办公室），陈卫东（国家税务总局高平市税务局），"
                             "郭晓燕（市人社局），杨勇（市财政局），牛文斌（市司法局）",
                "absentees": "秦国庆（市信访局，公务外出）",
                "observers": "李建军（反映人），高平市某煤业有限公司委托代理人王涛",
                "items": [
                    {"case_number": "GP-2026-000123",
                     "summary": "李建军反映原单位未为其办理2009年至2013年养老保险参保登记，"
                                "申请补缴并将养老保险关系转入本市。市人社局研判认为涉及劳动关系"
                                "认定和跨省转移，本部门无法办结。",
                     "decision": "由市人社局牵头核实劳动关系，对符合条件的核定应缴费额；国家税务"
                                 "总局高平市税务局依据核定结果办理补缴征收；市人社局同步办理跨省"
                                 "关系转移。于2026年3月27日前办结。"},
                    {"case_number": "GP-2026-000131",
                     "summary": "高平市某建材有限公司对2025年度滞纳金加收金额有异议，认为系信息"
                                "传递延迟所致。",
                     "decision": "由国家税务总局高平市税务局牵头，会同市人社局核查信息传递时间；"
                                 "确因部门原因导致的，依法不加收相应期间滞纳金。"},
                ],
            },
        }
    if kind == "handling_opinion":
        case["tier"] = "特殊事项"
        case["deadline_cn"] = "2026年3月27日"
        return {
            **_COMMON, "doc_number": "高征争意〔2026〕2号",
            "title": "关于李建军争议事项的书面处理意见",
            "recipient": f"{_HRSS}、{_TAX}", "date_cn": "2026年3月13日",
            "printed_date_cn": "2026年3月13日", "cc": ["高平市人民政府办公室"], "case": case,
            "meeting_date_cn": "2026年3月12日", "minutes_number": "高征争纪〔2026〕3号",
            "opinion": (
                "（一）由市人社局调取原单位工资发放记录、考勤记录和证人证言，核实反映人2009年"
                "至2013年的劳动关系，对符合补缴条件的，核定应缴费额并传递至税务部门。\n"
                "（二）国家税务总局高平市税务局依据核定信息及时办理补缴征收。\n"
                "（三）补缴完成后，市人社局按规定办理跨省养老保险关系转移接续。"
            ),
        }
    if kind == "feedback_letter":
        case["lead_unit"] = _HRSS
        return {
            **_COMMON, "doc_number": "高征争函〔2026〕9号",
            "title": "关于争议事项处理结果的反馈函",
            "recipient": "李建军", "date_cn": "2026年3月27日", "cc": [_HRSS], "case": case,
            "party": "反映人",
            "result": (
                "经市人社局核实，你于2009年3月至2013年6月与高平市某煤业有限公司存在劳动关系，"
                "该单位应为你办理养老保险参保登记而未办理。市人社局已核定应补缴费额，并责成该单位"
                "于2026年4月30日前足额补缴；补缴完成后，将为你办理跨省养老保险关系转移接续。"
            ),
            "reconsideration_body": "高平市人民政府",
            "court": "",
            "guidance_unit": "高平市司法局",
        }
    if kind == "supervision_notice":
        return {
            **_COMMON, "issuer": f"{_OFFICE}文件", "doc_number": "高征争通〔2026〕1号",
            "title": "关于2026年第一季度社会保险费征缴争议事项逾期办理情况的通报",
            "recipient": "工作专班各成员单位", "date_cn": "2026年4月3日",
            "printed_date_cn": "2026年4月3日", "cc": ["高平市人民政府办公室"],
            "period_label": "2026年第一季度", "as_of_date_cn": "2026年3月31日",
            "rectify_deadline_cn": "2026年4月10日",
            "rows": [
                {"unit": _HRSS, "overdue_count": 3, "oldest_days": 7,
                 "cases": "GP-2026-000087、GP-2026-000095、GP-2026-000102"},
                {"unit": _TAX, "overdue_count": 2, "oldest_days": 4,
                 "cases": "GP-2026-000091、GP-2026-000110"},
                {"unit": "高平市财政局", "overdue_count": 1, "oldest_days": 2,
                 "cases": "GP-2026-000118"},
            ],
        }
    raise KeyError(kind)


def fit_contract(kind: str, values: dict) -> dict:
    """Keep only what ``kind``'s contract lists: top-level names and the fields of dicts."""
    allowed = top_level_fields(kind)
    context = {}
    for key, value in values.items():
        if key not in allowed:
            continue
        if isinstance(value, dict) and allowed[key]:
            value = {f: v for f, v in value.items() if f in allowed[key]}
        context[key] = value
    return context


def sample_context(kind: str) -> dict:
    """A fresh sample context for ``kind`` holding exactly its contract's variables."""
    if kind not in VARIABLES:
        raise KeyError(f"未知的文书种类：{kind}")
    return fit_contract(kind, _sample(kind))
