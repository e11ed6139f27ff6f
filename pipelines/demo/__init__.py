"""The bundled synthetic demo: a deterministic generator of every extract, realistic in shape.

Nothing here is real. At scale 1, IOM has ~19,000 staff and ~5,600 affiliates in 170 duty stations
at the end date, most of them in large humanitarian operations (`operations`); UNHCR, WFP and UNICEF
are 30%, 25% and 20% of that. Allegations run in the tens to low hundreds a year per entity, rising
with the CBCMs (`reporting`). Case extracts come as snapshots at every quarter end plus the cut-off
(so statuses move on between them), appraisals once each year's cycle has closed, the other
extracts as one full-history snapshot at the cut-off. `pipelines.demo.build` loads them into a
warehouse through the real pipeline.
"""

from pipelines.demo.extracts import DemoExtracts, generate
from pipelines.demo.files import write_extracts

__all__ = ["DemoExtracts", "generate", "write_extracts"]
