"""The compliance engine: figures → violations and "at risk" warnings, per rule, subject and period."""
