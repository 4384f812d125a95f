"""Plotly figures of the dashboards pages, built from selector results (no database)."""
