"""Charts as a reader sees them: every quarter of the window once on an ordinal axis, suppressed and
not-yet-reported quarters as a marker at the axis with the word (never a bar, never a value),
numbered milestones with their names, plain words for codes, whole numbers on count axes, targets
as named lines, statuses in words, a text description, and room above the tallest bar."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
from PIL import Image

from psea.disclosure.figures import published_frame
from psea.present import charts, exports
from psea.present.chart_time import LABEL_PX_PER_CHAR, PLOT_WIDTH

K = 5
WINDOW = charts.quarters_in(dt.date(2015, 3, 31), dt.date(2018, 6, 30))  # 2015 Q2 … 2018 Q2
MILESTONES = pl.DataFrame(
    {
        "date": [
            dt.date(2011, 1, 1),
            dt.date(2015, 5, 1),
            dt.date(2016, 5, 31),
            dt.date(2016, 6, 1),
        ],
        "label": ["Champion appointed", "SOP task team", "HC retreat", "Toolkit endorsed"],
    }
)


def chart_data(chart) -> list[dict]:
    spec = chart.to_dict()
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def layers(chart) -> list[dict]:
    return chart.to_dict()["layer"]


def trend(counts: dict[dt.date, int], **kwargs):
    """Quarters as published: a count of 1..K-1 suppressed (its value nulled), the rest shown."""
    small = [0 < c < K for c in counts.values()]
    frame = pl.DataFrame(
        {
            "quarter": list(counts),
            "count": [None if s else c for s, c in zip(small, counts.values(), strict=True)],
            "suppressed": small,
        }
    )
    return charts.quarterly_trend(frame, k=K, **kwargs)


COUNTS = {dt.date(2015, 4, 1): 20, dt.date(2015, 10, 1): 3, dt.date(2016, 1, 1): 37}


def test_the_trend_has_every_quarter_of_the_window_once_on_an_ordinal_axis():
    chart = trend(COUNTS, quarters=WINDOW)
    assert WINDOW[0] == "2015 Q2" and WINDOW[-1] == "2018 Q2" and len(WINDOW) == 13
    for layer in layers(chart):
        x = layer["encoding"]["x"]
        assert x["type"] == "ordinal"
        assert x["scale"]["domain"] == WINDOW  # each quarter once, in order, none missing
    bars = {r["quarter"]: r["count"] for r in chart_data(chart) if "count" in r}
    assert bars["2015 Q3"] == 0  # a quarter without a row is a zero, drawn and written as 0
    assert bars["2016 Q1"] == 37 and "2015 Q4" not in bars  # suppressed: a marker, no bar


def test_by_default_the_window_runs_from_the_first_to_the_last_quarter_of_the_frame():
    domain = layers(trend(COUNTS))[0]["encoding"]["x"]["scale"]["domain"]
    assert domain == ["2015 Q2", "2015 Q3", "2015 Q4", "2016 Q1"]


def test_suppressed_and_not_reported_quarters_are_markers_without_a_value():
    chart = trend(COUNTS, quarters=WINDOW, reported_until=dt.date(2018, 3, 31))
    rows = chart_data(chart)
    marked = {(r["quarter"], r["_label"]) for r in rows if "_label" in r}
    assert marked == {("2015 Q4", "suppressed"), ("2018 Q2", "not yet reported")}
    assert not any(r.get("count") == 3 for r in rows)  # the suppressed value is nowhere
    assert not any(r.get("quarter") == "2018 Q2" and r.get("count") == 0 for r in rows)


def test_a_row_flagged_not_reported_is_a_marker_not_a_zero():
    frame = pl.DataFrame(
        {"quarter": ["2018Q1", "2018Q2"], "count": [12, None], "not_reported": [False, True]}
    )
    rows = chart_data(charts.quarterly_trend(frame, k=K))
    assert {r["quarter"] for r in rows if r.get("_label") == "not yet reported"} == {"2018 Q2"}


def test_the_value_axis_reaches_above_the_tallest_bar():
    chart = trend({dt.date(2017, 1, 1): 66, dt.date(2017, 4, 1): 40}, milestones=MILESTONES)
    top = layers(chart)[0]["encoding"]["y"]["scale"]["domain"][1]
    assert top >= 66 * 1.2  # room for the bar's count and the milestone numbers


def test_milestones_are_numbered_rules_named_in_the_legend_and_returned_for_captions():
    chart = trend(COUNTS, quarters=WINDOW, milestones=MILESTONES)
    notes = charts.milestone_notes(chart)
    assert notes == [
        "1 – 2015 Q2: SOP task team",
        "2 – 2016 Q2: HC retreat",
        "3 – 2016 Q2: Toolkit endorsed",
    ]  # the 2011 milestone is outside the window
    rules = [la for la in layers(chart) if la["mark"]["type"] == "rule"]
    assert rules[0]["encoding"]["color"]["scale"]["domain"] == notes
    numbers = [r["_number"] for r in chart_data(chart) if "_number" in r and "_name" not in r]
    assert numbers == ["1", "2, 3"]  # two milestones in one quarter share one label


def test_no_duplicate_labels_on_any_time_axis():
    dates = [dt.date(y, 12, 31) for y in range(2012, 2018)] + [dt.date(2018, 4, 17)]
    coverage = pl.DataFrame(
        {"date": dates, "coverage": [0.1] * 7, "covered": [1] * 7, "active": [10] * 7}
    )
    line = charts.coverage_line(coverage, "Coverage", milestones=MILESTONES)
    domain = layers(line)[0]["encoding"]["x"]["scale"]["domain"]
    assert domain == [
        "end 2012",
        "end 2013",
        "end 2014",
        "end 2015",
        "end 2016",
        "end 2017",
        "2018-04-17",
    ]
    assert charts.milestone_notes(line)[0] == "1 – 2015 Q2: SOP task team"
    history = pl.DataFrame(
        {"date": dates[:3], "team_coverage": [0.5, 0.6, 0.9], "team_induction_30d": [None, 0.4, 1]}
    )
    trend_domain = layers(charts.indicator_trend(history))[0]["encoding"]["x"]["scale"]["domain"]
    for labels in (domain, trend_domain, WINDOW):
        assert len(labels) == len(set(labels))


def test_no_axis_label_is_wider_than_its_band():
    for window in (WINDOW, charts.quarters_in(dt.date(2007, 12, 31), dt.date(2018, 6, 30))):
        axis = layers(trend(COUNTS, quarters=window))[0]["encoding"]["x"]["axis"]
        band = PLOT_WIDTH / len(window)
        upright_width = max(len(q) for q in window) * LABEL_PX_PER_CHAR
        across = upright_width if axis["labelAngle"] == 0 else 14  # a turned label: its height
        assert across <= band, (len(window), axis["labelAngle"])


def test_breakdown_bars_show_plain_words_and_suppressed_cells_as_markers():
    table = published_frame(
        pl.DataFrame(
            {"category": ["sexual_exploitation", "sexual_abuse", "other"], "count": [40, 3, 2]}
        ),
        [False, True, True],  # as the release withholds them
    )
    rows = chart_data(charts.breakdown_bars(table, "category", k=K))
    band = [r for r in rows if r.get("_label") == "suppressed"]
    assert {r["category"] for r in band} == {"Sexual abuse", "Other"}
    assert all(r.get("count") is None for r in band)
    assert "sexual_exploitation" not in str(rows)


def test_unpublished_frames_draw_without_a_marker():
    table = pl.DataFrame({"category": ["a", "b"], "count": [4, 3]})
    spec = charts.breakdown_bars(table, "category", k=K).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "text"]


def test_the_trend_renders_as_a_print_png(tmp_path):
    chart = trend(
        COUNTS, quarters=WINDOW, milestones=MILESTONES, reported_until=dt.date(2018, 3, 31)
    )
    png = exports.chart_bytes(chart, "png", 100)
    (tmp_path / "trend.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.size[0] >= PLOT_WIDTH * 100 / 72


def test_ordering_by_count_never_ranks_the_withheld_cells():
    """Two breakdowns that differ only in their withheld values are shown exactly alike (the
    pages' order by published count, psea.app.page)."""
    from psea.app.page import _ordered

    one = pl.DataFrame({"group": ["dismissal", "barred", "other", "none"], "count": [12, 4, 1, 9]})
    two = pl.DataFrame({"group": ["dismissal", "barred", "other", "none"], "count": [12, 1, 4, 9]})
    hidden = [False, True, True, False]
    first, second = (_ordered(published_frame(t, hidden), by_count=True) for t in (one, two))
    assert first.equals(second)
    assert first["group"].to_list() == ["dismissal", "none", "barred", "other"]
    assert first["shown"].to_list() == ["12", "9", "suppressed", "suppressed"]
    exact = _ordered(
        published_frame(pl.DataFrame({"group": ["b", "a", "c"], "count": [1, 4, 4]}), None), True
    )
    assert exact["group"].to_list() == ["a", "c", "b"]  # the analyst: by exact count, then name


def bar_rows(chart) -> list[dict]:
    """The rows every bar layer draws."""
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    return [
        row
        for layer in spec["layer"]
        if layer["mark"]["type"] == "bar"
        for row in datasets[layer["data"]["name"]]
    ]


def test_a_hidden_value_is_never_a_bar_but_a_marker_at_zero_with_its_word():
    chart = trend(COUNTS, quarters=WINDOW, reported_until=dt.date(2018, 3, 31))
    assert not {"2015 Q4", "2018 Q2"} & {r["quarter"] for r in bar_rows(chart)}
    spec = chart.to_dict()
    markers = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    words = [
        layer
        for layer in spec["layer"]
        if layer["mark"]["type"] == "text"
        and layer["encoding"].get("text", {}).get("field") == "_label"
    ]
    assert len(markers) == 1 and len(words) == 1
    assert markers[0]["encoding"]["y"] == {"datum": 0}  # at the axis, on the value scale
    table = published_frame(
        pl.DataFrame({"category": ["sexual_exploitation", "sexual_abuse"], "count": [40, 3]}),
        [False, True],
    )
    bars = charts.breakdown_bars(table, "category", k=K)
    assert {r["category"] for r in bar_rows(bars)} == {"Sexual exploitation"}


def test_count_axes_are_whole_numbers_never_exponents():
    table = pl.DataFrame({"category": ["a", "b"], "count": [100, 1200]})
    x = charts.breakdown_bars(table, "category").to_dict()["layer"][0]["encoding"]["x"]
    assert x["axis"]["format"] == ",d" and x["axis"]["tickMinStep"] == 1
    y = trend({dt.date(2017, 1, 1): 120}).to_dict()["layer"][0]["encoding"]["y"]
    assert y["axis"]["format"] == ",d"


def test_every_chart_describes_its_figures_in_words():
    chart = trend(COUNTS, quarters=WINDOW[:4], title="Allegations per quarter")
    description = chart.to_dict()["description"]
    assert description.startswith("Bar chart per quarter: Allegations per quarter.")
    assert "2015 Q2: 20" in description and "2015 Q4: suppressed" in description
    table = published_frame(
        pl.DataFrame({"category": ["sexual_exploitation", "other"], "count": [40, 3]}),
        [False, True],
    )
    spec = charts.breakdown_bars(table, "category", k=K, title="By category").to_dict()
    assert spec["description"] == (
        "Bar chart: By category. Sexual exploitation: 40; Other: suppressed."
    )


def test_coverage_charts_draw_the_thresholds_of_the_settings_as_named_lines():
    from psea.settings import settings

    indicators = settings()["indicators"]
    frame = pl.DataFrame(
        {
            "date": [dt.date(2016, 12, 31), dt.date(2017, 12, 31)],
            "coverage": [0.5, 0.9],
            "covered": [5, 9],
            "active": [10, 10],
        }
    )
    for chart in (
        charts.coverage_line(frame),
        charts.breakdown_bars(
            pl.DataFrame({"region": ["Asia"], "coverage_share": [0.9]}), "region", "coverage_share"
        ),
    ):
        spec = chart.to_dict()
        rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
        targets = {
            row["_target"]: row["_words"]
            for layer in rules
            for row in spec["datasets"][layer["data"]["name"]]
            if "_target" in row
        }
        green = indicators["coverage"]["target"]
        audit = indicators["audit_risk"]["coverage_below"]
        assert targets[green] == f"target {green:.0%} (green)"
        assert targets[audit] == f"audit risk below {audit:.0%}"
        dashes = [
            r["encoding"]["strokeDash"]["legend"]["title"]
            for r in rules
            if "strokeDash" in r["encoding"]
        ]
        assert dashes == ["Targets"]  # told apart by dash, named in a legend


def test_status_colours_are_written_on_their_segments_and_differ_in_grey():
    counts = pl.DataFrame(
        {
            "indicator": ["team_coverage"] * 3,
            "status": ["green", "amber", "red"],
            "managers": [30, 50, 20],
        }
    )
    spec = charts.status_bars(counts).to_dict()
    words = [
        row["_words"]
        for layer in spec["layer"]
        if layer["mark"]["type"] == "text"
        for row in spec["datasets"][layer["data"]["name"]]
    ]
    assert words == ["green 30%", "amber 50%", "red 20%"]

    def grey(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    levels = sorted(grey(c) for c in charts.STATUS_COLOURS.values())
    assert (
        min(b - a for a, b in zip(levels, levels[1:], strict=False)) > 0.05
    )  # no two the same grey
