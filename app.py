"""PSEA Oversight: the dashboard's entry point (navigation over the pages a role may use)."""

from psea.app.shell import page_setup, run

page_setup()
run()
