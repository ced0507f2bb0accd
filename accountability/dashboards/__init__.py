"""Dashboards: precomputed summaries, scoped selectors, pages, chart endpoints and exports."""
