"""What a reader meets on a page in the browser, checked the same way by the browser tests
(tests/browser) and the screenshots (scripts/screenshots.py): a page settled (waited for by its
state, never for a time), its accessibility by axe-core (WCAG 2.1 A and AA, the axe-core that
`axe-playwright-python` bundles: nothing is downloaded), card labels cut short, and hidden values
drawn as bars (read from the charts' SVG marks, which Vega labels for screen readers)."""

from __future__ import annotations

from dataclasses import dataclass

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Streamlit has finished the run (the app's script state, which Streamlit keeps for its own
# end-to-end tests) and drawn every element: no running indicator, no element faded
# as stale or still fading in, no skeleton,
# every chart in view drawn as SVG (or canvas) and every table's grid in view drawn.
SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;  // faded while a run goes on
  if (document.getAnimations().some(a => a.playState === 'running'
      && a.effect?.getTiming().iterations !== Infinity)) return false;  // still fading in
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')) return false;
  if (!document.querySelector('h1, [data-testid="stAlert"]')) return false;
  const shown = e => e.checkVisibility();  // a table in a closed expander is drawn when opened
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    if (shown(c) && !c.querySelector('svg.marks, canvas.marks')) return false;
  for (const t of document.querySelectorAll('[data-testid="stDataFrame"]'))
    if (shown(t) && !t.querySelector('canvas')) return false;
  return true;
}"""

# A metric's label or value cut short: drawn with an ellipsis ("Investigations comple…"), clipped
# by its box, or running out of its card into the next one.
TRUNCATED_LABELS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
  .filter(card => [...card.querySelectorAll(
      '[data-testid="stMetricLabel"] div, [data-testid="stMetricLabel"] p,'
      + ' [data-testid="stMetricValue"], [data-testid="stMetricValue"] div')]
    .some(e => (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
      || e.getBoundingClientRect().right > card.getBoundingClientRect().right + 1
      || e.scrollWidth > card.clientWidth + 1))
  .map(card => card.innerText.trim().split('\\n')[0])"""

# A hidden value drawn as a bar: the word "suppressed" or "not yet reported" written inside a
# bar (a rect mark), as a full-length grey band that reads as the largest value would be.
HIDDEN_BARS = """() => {
  const words = /^(suppressed|not yet reported)$/;
  const found = [];
  for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    const bars = [...chart.querySelectorAll('g.mark-rect path, [aria-roledescription="bar"]')]
      .map(bar => bar.getBoundingClientRect()).filter(r => r.width > 1 && r.height > 1);
    for (const text of chart.querySelectorAll('text')) {
      if (!words.test(text.textContent.trim())) continue;
      const r = text.getBoundingClientRect();
      const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
      if (bars.some(b => b.left <= x && x <= b.right && b.top <= y && y <= b.bottom))
        found.push(text.textContent.trim());
    }
  }
  return found;
}"""

# The words a chart marks its hidden values with.
HIDDEN_MARKERS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] text')]
  .map(e => e.textContent.trim()).filter(t => /^(suppressed|not yet reported)$/.test(t))"""


def settle(page, timeout: float = 120_000) -> None:
    """Wait until the page's run has ended and everything it draws is drawn."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(SETTLED, timeout=timeout, polling=200)


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    nodes: int
    help: str
    targets: tuple[str, ...]


def accessibility_violations(page) -> list[Violation]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        Violation(
            v["id"],
            v.get("impact") or "",
            len(v["nodes"]),
            v["help"],
            tuple(" ".join(n["target"]) for n in v["nodes"][:5]),
        )
        for v in results.response["violations"]
    ]


def truncated_labels(page) -> list[str]:
    return page.evaluate(TRUNCATED_LABELS)


def hidden_values_drawn_as_bars(page) -> list[str]:
    return page.evaluate(HIDDEN_BARS)


def hidden_value_markers(page) -> list[str]:
    return page.evaluate(HIDDEN_MARKERS)


def fit_to_content(page, width: int = 1400, most: int = 16_000) -> None:
    """Make the window as tall as the page's content (Streamlit scrolls inside its own main
    container, so a full-page screenshot needs a window that holds all of it)."""
    for _ in range(4):  # charts sized to their container redraw once the window changes
        height = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
            " return m ? m.scrollHeight : document.body.scrollHeight }"
        )
        height = min(max(int(height), 600), most)
        if page.viewport_size == {"width": width, "height": height}:
            return
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
