"""Runs every benchmark in turn (`make bench`)."""

from benchmarks import api_load, embedding_threads, matching, retrieval, speech, voice_load, whatsapp_load

if __name__ == "__main__":
    retrieval.main([])
    embedding_threads.main([])
    api_load.main([])
    whatsapp_load.main([])
    matching.main([])
    speech.main([])
    voice_load.main([])
