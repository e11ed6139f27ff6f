"""The Great Expectations suite as the loading path's safety net.

It validates every row the row engine has typed and accepted (no sample), in a background thread
while they are inserted; the commit waits for its verdict. Cross-row rules (references, managers, cycles) are the row engine's, on the whole file.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from data_contracts.model import Contract
from data_contracts.problems import Problem
from data_contracts.rules import RowCheck


def import_in_background() -> None:
    """Start importing Great Expectations (~2.5 s in a fresh process) while the first file is read
    and checked, so that its suite does not wait for the import after the row engine."""
    threading.Thread(target=_import_gx, daemon=True, name="gx-import").start()


def _import_gx() -> None:
    with contextlib.suppress(Exception):  # a failure shows when the suite itself imports it
        import great_expectations  # noqa: F401


class SafetyNet:
    """The suite of `contract` on the typed rows of `checked`, started at once."""

    def __init__(self, contract: Contract, checked: RowCheck):
        self.contract = contract
        self._suite = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(checked,), daemon=True, name="gx-safety-net"
        )
        self._thread.start()

    def _run(self, checked: RowCheck) -> None:
        try:
            from data_contracts.gx_suite import run_suite  # ~2.5 s to import, in this thread

            self._suite = run_suite(self.contract, checked.frame, checked.as_of)
        except BaseException as err:  # handed to the caller of verdict()
            self._error = err

    def verdict(self, file: str) -> tuple[list[Problem], dict[str, Any]]:
        """Wait for the suite: its failures as problems of the file (the row engine should have
        caught them first), and its result for the manifest, the GX validation under "validation"."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        suite = self._suite
        problems = [
            Problem(
                file,
                f"gx:{failure['expectation']}",
                f"{failure['unexpected_count']} unexpected value(s)",
                column=failure["column"],
            )
            for failure in suite.failed
        ]
        return problems, {
            "success": suite.success,
            "evaluated": suite.evaluated,
            "rows_validated": suite.rows_validated,
            "failed": suite.failed,
            "expectations": suite.expectations,
            "suite": f"{self.contract.kind}_contract_v{self.contract.version}",
            "validation": suite.validation,
        }
