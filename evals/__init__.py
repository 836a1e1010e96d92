"""Answer-quality evaluation: datasets, metrics and runners. Imports `assistant` only."""
