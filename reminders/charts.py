"""The weekly digest's picture: the open pipeline by stage, and each rep's activity by kind.

Drawn headless with matplotlib's Agg canvas on a bare ``Figure`` (no pyplot, no display, no
global state), so it is safe in a worker thread. Returns PNG bytes.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from handlers import timefmt
from handlers.digest import amounts
from handlers.digest_data import DigestData
from handlers.domain import PIPELINE, ActivityKind, Role, Stage
from handlers.i18n import _, format_day
from handlers.terms import kind_label, stage_label

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KIND_COLOURS = {
    ActivityKind.MEETING: "#4c72b0",
    ActivityKind.CALL: "#55a868",
    ActivityKind.EMAIL: "#dd8452",
    ActivityKind.NOTE: "#8c8c8c",
}
_REP_ROW_INCHES = 0.28
_DPI = 100


def digest_chart(data: DigestData) -> bytes:
    """A PNG: the pipeline's open deals per stage (bars, labelled with their amounts) above
    the period's activities per rep (stacked by kind, reps who logged nothing included)."""
    stages = [stage for stage in PIPELINE if not stage.is_closed]
    counts: dict[Stage, int] = defaultdict(int)
    values: dict[Stage, list[tuple[Decimal | None, str | None]]] = defaultdict(list)
    for total in data.pipeline:
        counts[total.stage] += total.count
        values[total.stage].append((total.amount, total.currency))

    per_rep: dict[int, dict[ActivityKind, int]] = defaultdict(lambda: defaultdict(int))
    for item in data.activities:
        per_rep[item.rep_id][item.kind] += item.count
    names = {member.rep_id: member.name for member in data.members}
    for member in data.members:
        if member.role is Role.REP:
            per_rep.setdefault(member.rep_id, defaultdict(int))
    reps = sorted(per_rep, key=lambda rep_id: (sum(per_rep[rep_id].values()), names.get(rep_id)))

    rep_height = max(1.5, _REP_ROW_INCHES * len(reps) + 0.8)
    figure = Figure(figsize=(8, 3.4 + rep_height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    pipeline, activity = figure.subplots(2, 1, height_ratios=[3.4, rep_height])
    zone = data.schedule.timezone
    start = timefmt.local(data.period.start, zone)
    end = timefmt.local(data.period.end, zone)
    figure.suptitle(
        _("{team}: {start} to {end}").format(
            team=data.schedule.team_name, start=format_day(start), end=format_day(end)
        ),
        fontsize=12,
    )

    labels = [stage_label(stage) for stage in stages]
    heights = [counts[stage] for stage in stages]
    bars = pipeline.bar(labels, heights, color="#4c72b0")
    pipeline.bar_label(
        bars,
        labels=[
            f"{counts[stage]}\n{amounts(values[stage])}" if counts[stage] else ""
            for stage in stages
        ],
        fontsize=7,
        padding=2,
    )
    pipeline.set_title(_("Open pipeline by stage (deals, amount)"), fontsize=10, loc="left")
    pipeline.yaxis.set_major_locator(MaxNLocator(integer=True))
    pipeline.set_ylim(0, max([*heights, 1]) * 1.35)
    pipeline.tick_params(axis="x", labelsize=8, labelrotation=20)
    pipeline.tick_params(axis="y", labelsize=8)
    pipeline.spines[["top", "right"]].set_visible(False)

    positions = range(len(reps))
    left = [0] * len(reps)
    logged = [kind for kind in ActivityKind if any(per_rep[rep].get(kind) for rep in reps)]
    for kind in logged:
        widths = [per_rep[rep_id].get(kind, 0) for rep_id in reps]
        activity.barh(
            positions,
            widths,
            left=left,
            color=_KIND_COLOURS[kind],
            label=kind_label(kind),
        )
        left = [offset + width for offset, width in zip(left, widths, strict=True)]
    activity.set_yticks(list(positions), [names.get(rep_id, f"#{rep_id}") for rep_id in reps])
    activity.set_ylim(-0.6, max(len(reps), 1) - 0.4)
    activity.tick_params(axis="y", labelsize=8)
    activity.tick_params(axis="x", labelsize=8)
    activity.xaxis.set_major_locator(MaxNLocator(integer=True))
    activity.set_title(_("Activities logged per rep"), fontsize=10, loc="left")
    activity.spines[["top", "right"]].set_visible(False)
    if logged:
        activity.legend(
            fontsize=7,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=len(logged),
            frameon=False,
        )
    else:
        message = _("Nothing logged") if reps else _("No reps yet")
        activity.text(0.5, 0.5, message, ha="center", va="center", fontsize=9)

    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
