"""Runs every benchmark in turn (`make bench`)."""

from benchmarks import api_load, matching, retrieval, speech, whatsapp_load

if __name__ == "__main__":
    retrieval.main()
    api_load.main([])
    whatsapp_load.main([])
    matching.main([])
    speech.main([])
