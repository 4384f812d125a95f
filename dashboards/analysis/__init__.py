"""Crime analysis read by the trends and map pages, CSV exports and the analysis API.

Selectors (each starts from ``visible_to(actor)`` and returns plain dataclasses):
``compstat.compstat_list`` / ``compstat.compstat_totals`` (this week, 28 days and the year to
date against a year earlier), ``spikes.spike_list`` (Poisson test against each pair's own
seasonal baseline, FDR-corrected) and ``hotspots.hotspot_list`` (Getis-Ord Gi* on H3 cells,
FDR-corrected). ``periods`` holds the date windows, ``stats`` the tests themselves.
"""
