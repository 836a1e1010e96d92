"""`python -m assistant.cli`: the same entry point as the `mentor` console script."""

from assistant.cli import main

main()
