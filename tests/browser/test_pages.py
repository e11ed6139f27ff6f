"""Every page, as a reader meets it at 1400 px: no WCAG 2.1 A/AA violation (axe-core),
no card label or value cut short, and no hidden value drawn as a bar. The checks themselves are
shown to catch what they look for on a page made to fail them."""

from __future__ import annotations

import pytest
from pagecheck import (
    accessibility_violations,
    hidden_value_markers,
    hidden_values_drawn_as_bars,
    settle,
    truncated_labels,
)

from psea.app.access import PAGE_ROLES

pytestmark = pytest.mark.browser


# Each page once, as a role that may open it, the roles taken in turn (every page × role is
# measured by `scripts/screenshots.py --every-role`, which writes the same checks per page).
SWEEP = [
    ("overview", "champion_office"),
    ("allegations", "focal_point"),
    ("investigations", "analyst"),
    ("victims", "champion_office"),
    ("training", "focal_point"),
    ("managers", "analyst"),
    ("country_capacity", "champion_office"),
    ("briefs", "focal_point"),  # the workspace, the preview and its charts
    ("un_quarterly", "analyst"),
    ("load", "admin"),
    ("data_quality", "analyst"),
    ("audit", "admin"),
]
assert {k for k, _ in SWEEP} == set(PAGE_ROLES) and all(r in PAGE_ROLES[k] for k, r in SWEEP)


@pytest.mark.parametrize(("key", "role"), SWEEP, ids=[f"{k}-{r}" for k, r in SWEEP])
def test_a_page_reads_whole_and_passes_axe(server, page, key, role):
    """What axe-core finds (WCAG 2.1 A and AA), the cards cut short and the hidden values drawn
    as bars: all empty."""
    page.goto(f"{server}/{key}?role={role}")
    settle(page)
    problems = {
        "axe": [
            f"{v.rule} ×{v.nodes}: {', '.join(v.targets)}" for v in accessibility_violations(page)
        ],
        "cut short": truncated_labels(page),
        "hidden value as a bar": hidden_values_drawn_as_bars(page),
    }
    assert not any(problems.values()), problems


def test_a_hidden_value_is_a_marker_with_its_word_not_a_bar(server, page):
    """The case pages hold suppressed cells in their charts (victims by UN group, the funnel,
    status): each is its word at the axis, and no bar carries it."""
    marked = {}
    for key in ("victims", "investigations", "allegations"):
        page.goto(f"{server}/{key}?role=champion_office")
        settle(page)
        marked[key] = hidden_value_markers(page)
        assert hidden_values_drawn_as_bars(page) == [], key
    assert "suppressed" in sum(marked.values(), []), marked


def test_a_refused_page_has_no_wcag_violation(server, page):
    page.goto(f"{server}/un_quarterly?role=focal_point")
    settle(page)
    assert page.get_by_role("heading", name="UN quarterly submission", exact=True).count() == 1
    assert accessibility_violations(page) == []


CUT_CARD = """
<div data-testid="stMetric" style="width: 120px; font: 14px sans-serif">
  <label data-testid="stMetricLabel"><div><p style="white-space: nowrap; overflow: hidden;
    text-overflow: ellipsis">Investigations completed within 90 days</p></div></label>
  <div data-testid="stMetricValue"><div>61</div></div>
</div>"""

# A chart as the page drew it before: the hidden value a full-length grey bar with its word inside.
BAND_CHART = """
<div data-testid="stVegaLiteChart"><svg width="400" height="60" class="marks">
  <g class="mark-rect"><path aria-roledescription="bar" d="M100,10h280v18h-280Z" fill="#bbb"/>
  </g><g class="mark-text"><text x="106" y="24">suppressed</text></g>
  <g class="mark-rect"><path aria-roledescription="bar" d="M100,32h120v18h-120Z"/></g>
</svg></div>"""

MARKED_CHART = """
<div data-testid="stVegaLiteChart"><svg width="400" height="60" class="marks">
  <g class="mark-symbol"><path d="M100,19l4,4l-4,4l-4,-4Z"/></g>
  <g class="mark-text"><text x="109" y="24">suppressed</text></g>
  <g class="mark-rect"><path aria-roledescription="bar" d="M100,32h120v18h-120Z"/></g>
</svg></div>"""


def test_the_checks_catch_a_cut_label_and_a_hidden_value_drawn_as_a_bar(page):
    page.set_content(CUT_CARD + BAND_CHART)
    assert truncated_labels(page) == ["Investigations completed within 90 days"]
    assert hidden_values_drawn_as_bars(page) == ["suppressed"]
    page.set_content(MARKED_CHART)
    assert hidden_values_drawn_as_bars(page) == [] and hidden_value_markers(page) == ["suppressed"]
