"""Infrastructure below every app (issue 17): code that the apps share and that knows nothing of them.

``infra.xlsx``: uploaded .xlsx workbooks read within bounds (zip structure, decompressed bytes, XML
declarations, rows, columns and time), for the roster reader and the duty-day import alike.
"""
