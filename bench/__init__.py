"""Benchmarks: they print figures and ratios to the raw client ceiling; they assert nothing."""
