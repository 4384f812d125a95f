"""``/api/v1/analysis/``: CompStat, spikes and hotspots over the same selectors as the pages."""
