"""The demo's focal points set their entities' commitments (the MOS-PSEA and the SG's four pillars)
in the workspaces of the last two seed meetings, through the same writer as the app: statuses move
on between the two, each with a line of the kind a focal point writes. Synthetic, from the seed."""

from __future__ import annotations

import datetime as dt

import numpy as np

from data_contracts.reference import reference_frame
from pipelines.commitments import COMMITMENTS, STATUSES, save_commitment

LINES = {
    "mos": (
        "Self-assessment against the minimum operating standards planned for next quarter.",
        "Self-assessment done; PSEA focal points named in most country offices.",
        "All standards met in the latest self-assessment, reviewed by the PSEA network.",
    ),
    "victims_first": (
        "Victim assistance protocol drafted with the protection cluster.",
        "Referral pathways mapped in the large operations; assistance budget agreed.",
        "Every victim offered assistance through the referral pathways within the week.",
    ),
    "ending_impunity": (
        "Investigation backlog under review with the investigation office.",
        "Screening of rehires against the inter-agency database started.",
        "Every substantiated case acted on; rehire screening in use in every office.",
    ),
    "civil_society_partners": (
        "Partner agreements to carry the PSEA clause from next year.",
        "PSEA clause in new partner agreements; partner capacity assessments started.",
        "Partner capacity assessments done in all large operations.",
    ),
    "communication_transparency": (
        "Public reporting of case figures under discussion with senior management.",
        "Quarterly case figures shared with the UN system-wide data.",
        "Annual PSEA report published; community awareness materials in local languages.",
    ),
}
ENTITIES = ("IOM", "UNHCR", "WFP", "UNICEF", "NRC", "IRC")


def set_commitments(con, seed: int) -> int:
    """Each entity's commitments at the last two seed meetings; returns the versions written."""
    rng = np.random.default_rng([seed, 4])
    meetings = sorted(reference_frame("sfp_meetings")["meeting_date"].to_list())[-2:]
    level = {(e, c): int(rng.integers(0, 2)) for e in ENTITIES for c in COMMITMENTS}
    written = 0
    for meeting in meetings:
        for entity in ENTITIES:
            for commitment in COMMITMENTS:
                if meeting == meetings[-1] and rng.random() < 0.45:  # moved on since
                    level[entity, commitment] = min(level[entity, commitment] + 1, 2)
                step = level[entity, commitment]
                save_commitment(
                    con,
                    meeting,
                    entity,
                    commitment,
                    STATUSES[step],
                    LINES[commitment][step],
                    "demo focal point",
                    "focal_point",
                    dt.datetime.combine(meeting - dt.timedelta(days=3), dt.time(9)),
                )
                written += 1
    return written
