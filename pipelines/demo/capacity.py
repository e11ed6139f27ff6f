"""Country PSEA capacity: about forty countries, the in-country networks and the entities present,
returned once and revised a year later.

A few countries are complete, most have one to three gaps, a few fragile contexts more; some close
a gap over the year, and capacity slips in three (`pipelines.demo.story`): a coordinator post
falls vacant, a network lapses, and IOM's investigation capacity thins where its investigations
back up. A costed plan needs a plan, and funding is secured against a costed plan.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from data_contracts import contract_for
from pipelines.demo.operations import CBCM_MISSIONS, CBCM_PILOT_SITES, OPERATION_SIZE
from pipelines.demo.story import Story, quarters_before

NETWORK_ITEMS = contract_for("psea_capacity").column("item").valid_values  # every item
ENTITY_ITEMS = (
    "psea_coordinator",
    "complaint_procedures",
    "gbv_referral_pathway",
    "community_awareness",
    "investigation_capacity",
)
COUNTRIES = 40
REPORTERS = ("IOM", "UNHCR", "WFP", "UNICEF", "NRC", "IRC")
PRESENCE = {"IOM": 1.0, "UNHCR": 0.8, "WFP": 0.75, "UNICEF": 0.85, "NRC": 0.35, "IRC": 0.3}
COMPLETE, FRAGILE, IMPROVING = 5, 6, 10  # countries of each kind; the others have 1-3 gaps
RANK = {"no": 0, "partial": 1, "yes": 2}
STATUS = ("no", "partial", "yes")
PLAN_CHAIN = ("action_plan", "action_plan_costed", "funding_secured")  # each at most the one before


def capacity_countries() -> list[str]:
    return list(dict.fromkeys([*CBCM_MISSIONS, *CBCM_PILOT_SITES, *OPERATION_SIZE]))[:COUNTRIES]


def _consistent(rows: list[list], ranks: np.ndarray) -> np.ndarray:
    """The network's plan chain made consistent: a costed plan needs a plan, funding a costed plan."""
    ranks = ranks.copy()
    where = {(r[0], r[1]): i for i, r in enumerate(rows)}
    for earlier, later in zip(PLAN_CHAIN, PLAN_CHAIN[1:], strict=False):
        a, b = where.get(("NETWORK", earlier)), where.get(("NETWORK", later))
        if a is not None and b is not None:
            ranks[b] = min(ranks[b], ranks[a])
    return ranks


def _gaps(rng: np.random.Generator, rows: list[list], count: int) -> np.ndarray:
    """Statuses with `count` gaps (no or partial) once the plan chain is consistent."""
    for _ in range(200):
        ranks = np.full(len(rows), 2)
        chosen = rng.choice(len(rows), count, replace=False)
        ranks[chosen] = rng.choice([0, 1], count, p=[0.4, 0.6])
        ranks = _consistent(rows, ranks)
        if (ranks < 2).sum() == count:
            return ranks
    return ranks


def capacity_snapshots(seed: int, story: Story) -> list[tuple[dt.date, pl.DataFrame]]:
    """(as_of, rows) at the last quarter every entity has reported (the cut-off's previous quarter
    end: UNHCR is a quarter behind) and a year before: the Champion's office compiles the
    country returns for a quarter all entities' figures reach."""
    rng = np.random.default_rng([seed, 3])
    end = quarters_before(story.end, 1)
    earlier = quarters_before(story.end, 5)
    countries = capacity_countries()
    kinds = rng.permutation(
        ["complete"] * COMPLETE + ["fragile"] * FRAGILE + ["some"] * (len(countries) - 11)
    )
    improving = set(
        rng.choice(
            [c for c, k in zip(countries, kinds, strict=True) if k != "complete"],
            IMPROVING,
            replace=False,
        )
    )
    slipped = {  # what capacity slipped to: a post vacant, a network lapsed, capacity thinned
        (story.coordinator_vacant, "NETWORK", "psea_coordinator"): RANK["no"],
        (story.network_lapsed, "NETWORK", "network_cochairs"): RANK["no"],
        (story.backlog_country, "IOM", "investigation_capacity"): RANK["partial"],
    }
    out_rows = []  # reporter, country, item, status then, status now, since then, since now
    for country, kind in zip(countries, kinds, strict=True):
        rows = [["NETWORK", item] for item in NETWORK_ITEMS]
        for reporter in REPORTERS:
            if reporter == "IOM" or rng.random() < PRESENCE[reporter]:
                rows += [[reporter, item] for item in ENTITY_ITEMS]
        gaps = {"complete": 0, "fragile": int(rng.integers(4, 8))}.get(
            kind, int(rng.integers(1, 4))
        )
        now = _gaps(rng, rows, gaps)
        for i, (reporter, item) in enumerate(rows):  # the story's slips: yes a year ago
            if (country, reporter, item) in slipped:
                now[i] = slipped[(country, reporter, item)]
        then = now.copy()
        if country in improving:  # a gap or two closed over the year
            fixed = rng.choice(len(rows), int(rng.integers(1, 3)), replace=False)
            then[fixed] = np.minimum(then[fixed], rng.choice([0, 1], len(fixed)))
        for i, (reporter, item) in enumerate(rows):
            if (country, reporter, item) in slipped:
                then[i] = 2
        then = _consistent(rows, then)
        held = rng.integers(60, 1200, len(rows))  # days the earlier status had held by then
        moved = rng.integers(15, 340, len(rows))  # days before the cut-off a change happened
        for i, (reporter, item) in enumerate(rows):
            since_then = earlier - dt.timedelta(days=int(held[i]))
            since_now = since_then if now[i] == then[i] else end - dt.timedelta(days=int(moved[i]))
            out_rows.append(
                (reporter, country, item, STATUS[then[i]], STATUS[now[i]], since_then, since_now)
            )
    reporter, country, item, status_then, status_now, since_then, since_now = (
        list(c) for c in zip(*out_rows, strict=True)
    )
    snapshots = []
    for as_of, status, since in ((earlier, status_then, since_then), (end, status_now, since_now)):
        snapshots.append(
            (
                as_of,
                pl.DataFrame(
                    {
                        "reporter": reporter,
                        "as_of": [as_of] * len(item),
                        "country": country,
                        "item": item,
                        "status": status,
                        "since": pl.Series(
                            [d if s != "no" else None for s, d in zip(status, since, strict=True)],
                            dtype=pl.Date,
                        ),
                    }
                ),
            )
        )
    return snapshots
