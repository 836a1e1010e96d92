"""Speed benchmarks: they print figures; they assert nothing (goals are checked by reading them)."""
