"""Roster import from Excel workbooks (issue 9)."""
