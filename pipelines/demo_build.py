"""Where `build_demo` used to live; its importers outside the demo package still import it here."""

from pipelines.demo.build import build_demo

__all__ = ["build_demo"]
