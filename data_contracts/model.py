"""Parse the ODCS contract files into `Contract` objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACT_DIR = Path(__file__).parent

REF_PATTERN = r"^[0-9a-f]{16}$"
ENTITY_PATTERN = r"^[A-Z]{2,12}$"
MONTH_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])$"
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
COUNTRY_PATTERN = r"^[A-Z]{3}$"  # ISO 3166-1 alpha-3 (and a known mission code)
DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN", "integer": "INTEGER"}


@dataclass(frozen=True)
class Column:
    name: str
    logical_type: str  # string | date | boolean | integer
    # ref | entity | as_of | date | month | quarter | mission | country | code | bool | int
    psea_type: str
    required: bool
    unique: bool = False
    valid_values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    future_allowed: bool = False
    description: str = ""
    # a column added to a contract after files were sent without it: a file may leave it out
    # (read as null), so an older extract still loads; present, it is checked like any other
    optional: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.logical_type]

    @property
    def is_text(self) -> bool:
        return self.logical_type == "string"


@dataclass(frozen=True)
class TableRule:
    """A table-level rule: `unique` (compound) or one of the custom psea rules."""

    rule: str
    params: dict[str, Any]
    description: str = ""

    @property
    def column(self) -> str:
        cols = self.params.get("columns") or [self.params.get("column")]
        return ",".join(c for c in cols if c)


@dataclass(frozen=True)
class Contract:
    kind: str
    version: str
    purpose: str
    columns: tuple[Column, ...]
    rules: tuple[TableRule, ...] = field(default_factory=tuple)
    load_order: int = 50
    # the columns whose latest as_of makes the current data (a full snapshot per key)
    snapshot_key: tuple[str, ...] = ("entity",)

    @property
    def entity_column(self) -> str:
        """The column naming who sends the rows (`entity`, or `reporter` for psea_capacity)."""
        return next(c.name for c in self.columns if c.psea_type == "entity")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def rules_of(self, rule: str) -> list[TableRule]:
        return [r for r in self.rules if r.rule == rule]

    @property
    def references(self) -> list[TableRule]:
        return [r for r in self.rules if r.rule in ("reference", "date_not_before_target")]


def _custom(props: list[dict] | None) -> dict[str, Any]:
    return {p["property"]: p["value"] for p in props or []}


def _column(prop: dict) -> Column:
    custom = _custom(prop.get("customProperties"))
    valid: tuple[str, ...] = ()
    for q in prop.get("quality") or []:
        if q.get("rule") == "validValues":
            valid = tuple(str(v) for v in q["validValues"])
    options = prop.get("logicalTypeOptions") or {}
    return Column(
        name=prop["name"],
        logical_type=prop["logicalType"],
        psea_type=custom["psea_type"],
        required=bool(prop.get("required", False)),
        unique=bool(prop.get("unique", False)),
        valid_values=valid,
        minimum=options.get("minimum"),
        maximum=options.get("maximum"),
        future_allowed=bool(custom.get("future_allowed", False)),
        description=str(prop.get("description") or ""),
        optional=bool(custom.get("optional_column", False)),
    )


def _rule(q: dict) -> TableRule:
    if q.get("type") == "library" and q.get("rule") == "duplicateCount":
        return TableRule("unique", {"columns": list(q["columns"])}, q.get("description", ""))
    impl = dict(q["implementation"])
    return TableRule(impl.pop("rule"), impl, q.get("description", ""))


def parse_contract(path: Path) -> Contract:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = doc["schema"][0]
    custom = _custom(doc.get("customProperties"))
    return Contract(
        kind=doc["name"],
        version=str(doc["version"]),
        purpose=doc.get("description", {}).get("purpose", ""),
        columns=tuple(_column(p) for p in schema["properties"]),
        rules=tuple(_rule(q) for q in schema.get("quality") or []),
        load_order=int(custom.get("load_order", 50)),
        snapshot_key=tuple(custom.get("snapshot_key", ["entity"])),
    )


@cache
def contracts() -> dict[str, Contract]:
    found = (parse_contract(p) for p in sorted(CONTRACT_DIR.glob("*.yaml")))
    return {c.kind: c for c in found}


def contract_for(kind: str) -> Contract:
    try:
        return contracts()[kind]
    except KeyError:
        raise KeyError(f"unknown extract kind {kind!r}; known: {', '.join(contracts())}") from None


def kinds_in_load_order() -> list[str]:
    return sorted(contracts(), key=lambda k: (contracts()[k].load_order, k))
