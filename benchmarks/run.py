"""Runs every benchmark in turn (`make bench`)."""

from benchmarks import (
    api_load,
    chat_load,
    embedding_threads,
    gaps_view,
    matching,
    retrieval,
    speech,
    voice_load,
    whatsapp_load,
    workers,
)

if __name__ == "__main__":
    retrieval.main([])
    embedding_threads.main([])
    api_load.main([])
    workers.main([])
    whatsapp_load.main([])
    matching.main([])
    speech.main([])
    gaps_view.main([])
    voice_load.main([])
    chat_load.main([])
