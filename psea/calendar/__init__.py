"""The calendar every period is built on: quarters and years, pure date arithmetic (the foundation
layer: imports nothing of the project)."""
