"""An entity's duty stations: headquarters, the regional offices, the large operations and some
country offices, each with its share of the personnel and of the allegations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.demo.operations import (
    CASE_INTENSITY,
    CBCM_MISSIONS,
    COUNTRY_OFFICE_SIZE,
    HEADQUARTERS_SIZE,
    NO_DUTY_STATION,
    OPERATION_SIZE,
    REGIONAL_OFFICE_SIZE,
)
from pipelines.demo.scenario import ENTITY_MISSIONS


@dataclass(frozen=True)
class DutyStations:
    codes: list[str]
    staff_share: np.ndarray  # of the entity's personnel; sums to 1
    case_share: np.ndarray  # of the entity's allegations before the reporting story; sums to 1
    supervising_station: np.ndarray  # whose chief the station's chief reports to (-1: nobody)

    @property
    def code_array(self) -> np.ndarray:
        return np.array(self.codes, dtype=object)


def duty_stations(rng: np.random.Generator, entity: str, missions: pl.DataFrame) -> DutyStations:
    """IOM has every large operation; the smaller agencies most of them (always the CBCM countries);
    country offices fill up to the entity's number of missions."""
    regional = missions.filter(pl.col("code").str.starts_with("RO-"))
    region_office = dict(zip(regional["region"], regional["code"], strict=True))
    region_of = dict(zip(missions["code"], missions["region"], strict=True))
    operations = [
        c for c in OPERATION_SIZE if entity == "IOM" or c in CBCM_MISSIONS or rng.random() < 0.85
    ]
    eligible = sorted(
        set(missions["code"])
        - NO_DUTY_STATION
        - set(OPERATION_SIZE)
        - {"HQ", *region_office.values()}
    )
    fill = max(0, ENTITY_MISSIONS[entity] - 1 - len(region_office) - len(operations))
    offices = [str(c) for c in rng.choice(eligible, min(fill, len(eligible)), replace=False)]
    codes = ["HQ", *region_office.values(), *operations, *offices]
    kind = np.array(
        ["hq"]
        + ["regional_office"] * len(region_office)
        + ["operation"] * len(operations)
        + ["country_office"] * len(offices)
    )
    size = np.concatenate(
        [
            [HEADQUARTERS_SIZE],
            np.full(len(region_office), REGIONAL_OFFICE_SIZE),
            [OPERATION_SIZE[c] for c in operations],
            np.full(len(offices), COUNTRY_OFFICE_SIZE),
        ]
    )
    # each agency's operations differ in size from IOM's; country offices vary most
    size = size * rng.lognormal(0, np.where(kind == "country_office", 0.6, 0.3))
    cases = size * np.array([CASE_INTENSITY[k] for k in kind])
    index = {c: i for i, c in enumerate(codes)}
    supervising = np.array(
        [-1, *(index["HQ"] for _ in region_office)]
        + [index[region_office.get(region_of[c], "HQ")] for c in codes[1 + len(region_office) :]]
    )
    return DutyStations(codes, size / size.sum(), cases / cases.sum(), supervising)
