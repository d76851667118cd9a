"""Markdown for docs/performance.md from bench/run.py's results (see var/bench/results.json).

Only the part between the bench markers is regenerated; notes written around it stay.
"""

from __future__ import annotations

from pathlib import Path

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
LEDGER_TARGET_MS = 200
STATS_TARGET_S = 2


def _ms(r: dict) -> str:
    return f"{r['p50']:.0f} / {r['p95']:.0f}"


def _ratio(stock: dict, ours: dict) -> str:
    return f"{stock['p95'] / ours['p95']:.2f}×"


def _web(label: str, size: dict) -> list[str]:
    web, seed = size["web"], size["seed"]
    lines = [f"### {label}：{web['cases']:,} 件（PostgreSQL 库 `{seed['db']}`）", ""]
    if seed.get("seconds"):
        rows = seed.get("rows", {})
        lines += [f"构建：`seed_demo --bulk` 写入 {seed['seeded']:,} 件用时 {seed['seconds']:.0f} 秒"
                  f"（{seed['rate']:.0f} 件/秒），办理记录 {rows.get('cases_timelineevent', 0):,} 条，"
                  f"历史记录 {rows.get('cases_historicalcase', 0):,} 条。", ""]
    lines += [f"测量期间机器 1 分钟平均负载：开始 {web['load_before']:.1f}，结束 "
              f"{web['load_after']:.1f}（2 核，与其他进程共用：请看同一轮内的比值）。", "",
              "| 台账视图 | 本系统 p50 / p95（毫秒） | SQL 条数 | 原版 modeladmin p50 / p95 | "
              "SQL 条数 | p95 原版 ÷ 本系统 | p95 ≤ 200 毫秒 |",
              "|---|---:|---:|---:|---:|---:|:---:|"]
    for row in web["ledger"]:
        ours, stock = row["ours"], row["stock"]
        ok = "✓" if ours["p95"] <= LEDGER_TARGET_MS else "✗"
        lines.append(f"| {row['label']} | {_ms(ours)} | {ours['queries']} | {_ms(stock)} | "
                     f"{stock['queries']} | {_ratio(stock, ours)} | {ok} |")
    page = web["case_page"]
    lines.append(f"| 案件页（详情） | {_ms(page['ours'])} | {page['ours']['queries']} | "
                 f"{_ms(page['stock'])} | {page['stock']['queries']} | "
                 f"{_ratio(page['stock'], page['ours'])} | |")
    lines += ["", "| 统计页（高平） | p50 / p95（毫秒） | SQL 条数 | < 2 秒 |", "|---|---:|---:|:---:|"]
    for row in web["statistics"]:
        ok = "✓" if row["p95"] <= STATS_TARGET_S * 1000 else "✗"
        lines.append(f"| 期间 {row['period']}（{row['runs']} 次） | {_ms(row)} | "
                     f"{row['queries']} | {ok} |")
    lines += ["", "统计页的 SQL 条数只计请求本身的连接：PostgreSQL 上各表的汇总查询在另外至多 3 个连接上"
              "并行（共用一个快照，`analytics/parallel.py`），约 16 条，不在此数内。"]
    cmd = size["commands"]
    lines += ["", "| 命令（独立进程，不含启动；报告 3 次取中位数，导出 1 次） | 用时（秒） | 启动后 RSS（MB） | "
              "峰值 RSS（MB） | 行数 |", "|---|---:|---:|---:|---:|",
              f"| `analysis_report --period 2025-Q4 --xlsx`（Word + Excel） | "
              f"{cmd['report']['seconds']:.2f} | {cmd['report']['base_mb']:.0f} | "
              f"{cmd['report']['peak_mb']:.0f} | |"]
    for key, name in (("export_quarter", "2025 年第四季度"), ("export_year", "2025 全年")):
        r = cmd[key]
        lines.append(f"| `export_ledger` {name} | {r['seconds']:.2f} | {r['base_mb']:.0f} | "
                     f"{r['peak_mb']:.0f} | {r['rows']:,} |")
    q, y = cmd["export_quarter"], cmd["export_year"]
    if q["rows"]:
        lines += ["", f"导出内存：行数 ×{y['rows'] / q['rows']:.1f} 时峰值 RSS "
                      f"{q['peak_mb']:.0f} → {y['peak_mb']:.0f} MB（启动后 {q['base_mb']:.0f} MB）。"]
    return lines + [""]


def generated(results: dict) -> str:
    m = results["machine"]
    lines = [BEGIN, "", f"## 基准结果（`make bench`，{m['date']}）", "",
             f"- 机器：`{m['uname']}`，{m['cores']} 核；PostgreSQL {m['pg']}；Python {m['python']}",
             f"- 每项请求测 {results['runs']} 次（另有 1 次预热并计 SQL 条数），本系统与原版交替请求；"
             "Django 测试客户端，以高平办公室工作人员登录，连接在一轮内保持（相当于 CONN_MAX_AGE > 0）。",
             "- 原版 modeladmin：同一进程内另行挂载的 `ModelAdmin`（bench/stock_admin.py），"
             "相同的列、筛选和 icontains 搜索，同一份数据。", ""]
    for label, size in results["sizes"].items():
        lines += _web(label, size)
    intake = [run["table"] for run in results.get("intake") or [] if run]
    lines += ["\n\n".join(intake) or "### 进件吞吐\n\n本轮未测（`--skip-intake` 或测量失败）。",
              "", "不丢件的可靠性（SIGKILL 中途重启）见 docs/reliability.md（bench/load_intake.py）。", "",
              "### 公文生成（与数据量无关，SQLite 内存库）", "", results["documents"], "", END]
    return "\n".join(lines)


def render(results: dict, path: Path | None = None) -> str:
    path = path or Path(__file__).resolve().parent.parent / "docs" / "performance.md"
    block = generated(results)
    old = path.read_text() if path.exists() else ""
    if BEGIN in old and END in old:
        return old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    return "# 性能\n\n" + block + "\n"
