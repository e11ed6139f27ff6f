"""PSEA Oversight: from anonymized extracts to trends, manager indicators and SFP meeting briefs."""

__version__ = "0.1.0"
