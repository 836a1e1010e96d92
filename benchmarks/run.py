"""Runs every benchmark in turn (`make bench`)."""

from benchmarks import api_load, retrieval

if __name__ == "__main__":
    retrieval.main()
    api_load.main([])
