"""The bundled synthetic demo: a deterministic generator of every extract, realistic in shape.

Nothing here is real. At scale 1, IOM has ~19,000 staff and ~5,600 affiliates in ~170 missions at the
end date; UNHCR, WFP and UNICEF are 30%, 25% and 20% of that. Allegations run in the tens to low
hundreds a year per entity. Case extracts come as year-end snapshots (so statuses move on between
them) plus the final cut-off; the other extracts as one full-history snapshot at the cut-off.
`pipelines.demo.build` loads them into a warehouse through the real pipeline.
"""

from pipelines.demo.extracts import DemoExtracts, generate
from pipelines.demo.files import write_extracts

__all__ = ["DemoExtracts", "generate", "write_extracts"]
