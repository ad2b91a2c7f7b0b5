"""Charts as PNG for the .docx reports, drawn server-side with matplotlib (Agg, no display).

Why matplotlib: ECharts runs in the browser; a Word document needs images. matplotlib is the long-kept,
widely packaged Python plotting library; it renders Chinese only with a CJK font, so it uses Debian's Noto Sans
CJK (fonts-noto-cjk) when it is installed and otherwise draws no chart (the report keeps its tables)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
# ECharts 5's default palette
COLORS = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4")


@lru_cache(maxsize=1)
def _font() -> Any:
    path = next((p for p in CJK_FONTS if Path(p).exists()), None)
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


def available() -> bool:
    """True when charts can be drawn (matplotlib and a CJK font are present)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return _font() is not None


def _figure(width: float = 6.0, height: float = 3.2) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=150)
    return figure, figure.add_subplot()


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def bar_png(title: str, labels: list[str], series: dict[str, list[float]]) -> bytes | None:
    """Grouped bars (one colour per series) with a Chinese title and labels; None without a CJK font."""
    font = _font() if available() else None
    if font is None or not labels:
        return None
    figure, axes = _figure()
    count = max(len(series), 1)
    width = 0.8 / count
    for index, (name, values) in enumerate(series.items()):
        positions = [i - 0.4 + width * (index + 0.5) for i in range(len(labels))]
        bars = axes.bar(positions, values, width=width, label=name, color=COLORS[index % len(COLORS)])
        axes.bar_label(bars, fontproperties=font, fontsize=7)
    axes.set_xticks(range(len(labels)), labels, fontproperties=font, fontsize=8,
                    rotation=30 if max(len(str(label)) for label in labels) > 6 else 0)
    axes.set_title(title, fontproperties=font, fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    for tick in axes.get_yticklabels():
        tick.set_fontproperties(font)
    if len(series) > 1:
        axes.legend(prop=font, fontsize=8, frameon=False)
    return _png(figure)


def pie_png(title: str, labels: list[str], values: list[float]) -> bytes | None:
    """A pie with counts and shares; None without a CJK font or without data."""
    font = _font() if available() else None
    if font is None or not any(values):
        return None
    figure, axes = _figure(5.0, 3.2)
    shown = [(label, value) for label, value in zip(labels, values, strict=True) if value]
    wedges, texts, numbers = axes.pie([v for _l, v in shown], labels=[f"{label}（{int(v)}）" for label, v in shown],
                                      colors=COLORS[:len(shown)], autopct="%1.0f%%", startangle=90,
                                      textprops={"fontproperties": font, "fontsize": 8})
    axes.set_title(title, fontproperties=font, fontsize=11)
    axes.axis("equal")
    return _png(figure)
