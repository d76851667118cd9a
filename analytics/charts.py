"""Charts drawn on the server (matplotlib, Agg) as PNG: shown inline in the admin as data: URIs
and embedded in the Word report. No browser library, no CDN — offices run on closed networks."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import warnings
from functools import lru_cache
from io import BytesIO

import matplotlib
from django.core.cache import cache
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg  # Agg: no display on servers
from matplotlib.figure import Figure  # not pyplot: no global state shared between requests
from matplotlib.ticker import MaxNLocator

from analytics.statistics import Table

logger = logging.getLogger(__name__)

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UKai CN")
PALETTE = ["#1f5f9f", "#c0392b", "#2e8b57", "#d68910", "#6c3483", "#117a65", "#7f8c8d"]
MAX_BARS = 15
CACHE_SECONDS = 600  # the same figures redraw the same chart: reloads and downloads reuse it


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed CJK font (fonts-noto-cjk on Debian), put first in the sans-serif
    list once; None draws boxes instead of Chinese, never a crash."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        logger.info("未找到中文字体，统计图中的汉字可能无法显示；可安装 fonts-noto-cjk。")
    else:
        matplotlib.rcParams["font.sans-serif"] = [found, *matplotlib.rcParams["font.sans-serif"]]
        matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts lack U+2212
    return found


def _figure(width: float, height: float) -> Figure:
    # Margins set by hand: a layout engine doubles the drawing time (measured ~0.25 s a chart).
    cjk_font()
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph missing" when no CJK font is installed
        figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def chart_png(table: Table) -> bytes | None:
    """The table's chart, or None when it has none or nothing to show (cached by content)."""
    if not table.chart:
        return None
    key = "analytics-chart:" + hashlib.sha256(json.dumps(
        [table.chart, table.title, table.columns, table.chart_column, table.chart_limit,
         table.rows], ensure_ascii=False, default=str).encode()).hexdigest()
    png = cache.get(key)
    if png is None:
        png = _draw(table) or b""
        cache.set(key, png, CACHE_SECONDS)
    return png or None


def _draw(table: Table) -> bytes | None:
    rows = table.rows[:table.chart_limit] if table.chart_limit else table.rows
    points = [(str(row[0]), row[table.chart_column]) for row in rows
              if row[0] != "合计" and isinstance(row[table.chart_column], (int, float))]
    if table.chart == "pie":
        points = [(label, value) for label, value in points if value][:len(PALETTE)]
    if not points or not any(value for _, value in points):
        return None
    points = points[:MAX_BARS] if table.chart == "barh" else points
    labels = [label if len(label) <= 16 else label[:15] + "…" for label, _ in points]
    values = [value for _, value in points]
    if table.chart == "pie":
        figure = _figure(5.2, 3.6)
        figure.subplots_adjust(left=0.05, right=0.95, top=0.88, bottom=0.05)
        axes = figure.subplots()
        axes.pie(values, labels=labels, colors=PALETTE[:len(values)], autopct="%1.1f%%",
                 startangle=90, counterclock=False)
        axes.axis("equal")
    elif table.chart == "barh":
        height = max(2.4, 0.42 * len(values) + 0.9)
        figure = _figure(6.4, height)
        widest = max(sum(2 if ord(ch) > 0x2E7F else 1 for ch in label) for label in labels)
        figure.subplots_adjust(left=min(0.5, (widest * 5.2 + 16) / 460.8), right=0.94,
                               top=1 - 0.45 / height, bottom=0.4 / height)
        axes = figure.subplots()
        positions = range(len(values))[::-1]
        axes.barh(list(positions), values, color=PALETTE[0])
        axes.set_yticks(list(positions), labels)
        for y, value in zip(positions, values, strict=True):
            axes.annotate(f"{value:g}", (value, y), xytext=(3, 0), textcoords="offset points",
                          va="center", fontsize=8)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.spines[["top", "right"]].set_visible(False)
    else:
        figure = _figure(6.4, 3.2)
        figure.subplots_adjust(left=0.08, right=0.98, top=0.88,
                               bottom=0.28 if len(values) > 6 else 0.14)
        axes = figure.subplots()
        axes.bar(range(len(values)), values, color=PALETTE[0])
        axes.set_xticks(range(len(values)), labels, rotation=30 if len(values) > 6 else 0,
                        ha="right" if len(values) > 6 else "center")
        for x, value in enumerate(values):
            axes.annotate(f"{value:g}", (x, value), xytext=(0, 2), textcoords="offset points",
                          ha="center", fontsize=8)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.spines[["top", "right"]].set_visible(False)
    title = table.title if table.chart_column == 1 else f"{table.title}（{table.columns[table.chart_column]}）"
    axes.set_title(title, fontsize=11)
    return _png(figure)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
