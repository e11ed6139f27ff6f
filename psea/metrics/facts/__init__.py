"""The case figures' one definition: a family of rows per figure, each row dated and grouped.

Every case count the dashboard shows is "how many rows of a family fall in a period", in total or by
one of the family's breakdowns. The family's SQL is written once, here; `count` counts it over any
period at any cut-off (the analysts' exact figures), `count_by_quarter` over the quarter grid (the
protected release of psea.disclosure). Each breakdown partitions its family: its groups add up to
the family's total, which is what the release's linked suppression relies on.
"""

from psea.metrics.facts.counting import (
    count,
    count_by_quarter,
    count_stock,
    count_stock_by_entity,
    total,
)
from psea.metrics.facts.family import (
    AGENCY_PERSONNEL,
    DELAY_BUCKETS,
    OPEN_STAGES,
    OUTCOME_ROWS,
    STATUSES,
    UN_PERSONNEL_GROUPS,
    UN_VICTIM_GROUP,
    UN_VICTIM_GROUPS,
    Family,
    bucket_codes,
    bucket_sql,
    cross,
    nest,
)
from psea.metrics.facts.open_cases import age_bounds, overdue_groups
from psea.metrics.facts.registry import families, family, stocks
from psea.metrics.facts.returns import (
    RETURN_CHILD,
    RETURN_FIGURES,
    RETURN_STOCKS,
    return_cells,
    return_cells_sql,
    return_stock,
)

__all__ = [
    "AGENCY_PERSONNEL",
    "DELAY_BUCKETS",
    "OPEN_STAGES",
    "OUTCOME_ROWS",
    "RETURN_CHILD",
    "RETURN_FIGURES",
    "RETURN_STOCKS",
    "STATUSES",
    "UN_PERSONNEL_GROUPS",
    "UN_VICTIM_GROUP",
    "UN_VICTIM_GROUPS",
    "Family",
    "age_bounds",
    "bucket_codes",
    "bucket_sql",
    "count",
    "count_by_quarter",
    "count_stock",
    "count_stock_by_entity",
    "cross",
    "families",
    "family",
    "nest",
    "overdue_groups",
    "return_cells",
    "return_cells_sql",
    "return_stock",
    "stocks",
    "total",
]
