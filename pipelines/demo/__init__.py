"""The bundled synthetic demo: a deterministic generator of every extract, telling a story a PSEA
practitioner believes (docs/demo.md).

Nothing here is real. At scale 1, IOM has ~19,000 staff and ~5,600 affiliates in 170 duty stations
at the end date, most of them in large humanitarian operations (`operations`); UNHCR, WFP and UNICEF
are 30%, 25% and 20% of that. Allegations run in the tens to low hundreds a year per entity, each
entity with its own trend (`reporting`), and cases move, are entered late, withdrawn and
reclassified between snapshots (`cases`). Every extract of an entity comes at the same quarter ends
over the last six quarters, the first a full history (`story`); one case extract is re-sent corrected.
`pipelines.demo.build` loads them into a warehouse through the real pipeline and adds the SFP
meetings held since the seed's, and the next one.
"""

from pipelines.demo.extracts import DemoExtracts, generate
from pipelines.demo.files import write_extracts

__all__ = ["DemoExtracts", "generate", "write_extracts"]
