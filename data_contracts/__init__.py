"""The extract contracts: one ODCS YAML file per extract, loaded into typed objects.

Everything that knows an extract's shape (the reader's casting, the row-level rule engine, the Great
Expectations suite, the warehouse DDL, the demo's template files) reads it from here.
"""

from data_contracts.model import (
    Column,
    Contract,
    TableRule,
    contract_for,
    contracts,
    kinds_in_load_order,
)

__all__ = ["Column", "Contract", "TableRule", "contract_for", "contracts", "kinds_in_load_order"]
