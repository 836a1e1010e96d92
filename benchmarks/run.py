"""Runs every benchmark in turn (`make bench`)."""

from benchmarks import retrieval

if __name__ == "__main__":
    retrieval.main()
