"""The brief for a PSEA Senior Focal Point meeting (docs/indicators.md, "SFP meeting brief").

`build_brief` assembles it from the release of the meeting's data (every case figure as published
for roles without exact access) and the metric layer's personnel figures; `psea.brief.render`
writes it as DOCX, PDF and Markdown. One brief, three formats: every figure is read once, here.
"""

from pipelines.meetings import add_meeting
from psea.brief.build import build_brief, meeting_period
from psea.brief.model import Brief, Figure, Headline, Section, Table
from psea.metrics.catalog import meetings

__all__ = [
    "Brief",
    "Figure",
    "Headline",
    "Section",
    "Table",
    "add_meeting",
    "build_brief",
    "meeting_period",
    "meetings",
]
