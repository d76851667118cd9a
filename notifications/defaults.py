"""The default message texts, written to MessageTemplate by a data migration and on first use.
Staff edit them in the admin; these only fill a missing row."""

SIGNATURE = "【{{ office }}】"

DEFAULT_TEMPLATES: dict[tuple[str, str], dict[str, str]] = {
    ("acknowledgement", "sms"): {
        "body": SIGNATURE + "您反映的社会保险费征缴争议已受理，受理编号 {{ number }}，查询码 {{ query_code }}。"
                "可凭受理编号和查询码在 {{ tracking_url }} 查询办理进度，请妥善保管查询码。",
    },
    ("acknowledgement", "email"): {
        "subject": "您反映的事项已受理（受理编号 {{ number }}）",
        "body": "您好：\n\n您反映的社会保险费征缴争议（{{ category }}）已由{{ office }}受理。\n"
                "受理编号：{{ number }}\n查询码：{{ query_code }}\n\n"
                "可凭受理编号和查询码在 {{ tracking_url }} 查询办理进度。请妥善保管查询码。\n\n{{ office }}",
    },
    ("transfer", "sms"): {
        "body": SIGNATURE + "{{ unit }}：争议事项 {{ number }}（{{ category }}）已转交贵单位办理"
                "{% if due_date %}，请于 {{ due_date }} 前办结{% endif %}。请及时登录系统签收。",
    },
    ("reminder", "sms"): {
        "body": SIGNATURE + "{{ unit }}：争议事项 {{ number }} 的{{ stage }}环节"
                "{% if overdue %}已超期（期限 {{ due_date }}），请立即办理。"
                "{% else %}将于 {{ due_date }} 到期，请抓紧办理。{% endif %}",
    },
    ("result", "sms"): {
        "body": SIGNATURE + "您反映的事项（受理编号 {{ number }}）已办结。处理结果：{{ result }}"
                "如有疑问，可凭受理编号和查询码在 {{ tracking_url }} 查看。",
    },
    ("result", "email"): {
        "subject": "您反映的事项已办结（受理编号 {{ number }}）",
        "body": "您好：\n\n您反映的事项（受理编号 {{ number }}）已办结。\n\n处理结果：\n{{ result }}\n\n"
                "可凭受理编号和查询码在 {{ tracking_url }} 查看详情。\n\n{{ office }}",
    },
    ("survey", "sms"): {
        "body": SIGNATURE + "请对受理编号 {{ number }} 事项的办理情况作出评价：{{ survey_url }}"
                "（凭受理编号和查询码进入）。对处理结果有异议的，也可在该页面提出。",
    },
    ("survey", "email"): {
        "subject": "请评价事项办理情况（受理编号 {{ number }}）",
        "body": "您好：\n\n请对受理编号 {{ number }} 事项的办理情况作出评价：{{ survey_url }}\n"
                "（凭受理编号和查询码进入）。对处理结果有异议的，也可在该页面提出。\n\n{{ office }}",
    },
}
