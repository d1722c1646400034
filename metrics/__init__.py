"""Metrics: the registry of metric definitions (data) and their monthly calculations (SQL in DuckDB), no UI."""
from metrics.calc import UnknownFilter, default_course, known_courses, known_units, monthly, targets
from metrics.registry import (
    BUILTIN,
    BUILTIN_KEYS,
    MetricDef,
    all_metrics,
    format_delta,
    format_value,
    get,
    reading_metric,
    validate,
)

__all__ = [
    "BUILTIN", "BUILTIN_KEYS", "MetricDef", "UnknownFilter", "all_metrics", "default_course", "format_delta",
    "format_value", "get", "known_courses", "known_units", "monthly", "reading_metric", "targets", "validate",
]
