"""Figures turned into what people read: plain-word labels, chart specifications and their quarter
axes, the headline figures with their comparisons, and the downloads (PNG/SVG/PDF, CSV/XLSX/Parquet,
page bundles). Pages, briefs and the CLI draw through it; it reads the metric layer and the release's
gate (psea.disclosure) and never the warehouse."""
