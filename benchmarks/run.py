"""Runs every benchmark in turn (`make bench`)."""

from benchmarks import answering, api_load, embedding_threads, matching, retrieval, speech, whatsapp_load

if __name__ == "__main__":
    retrieval.main([])
    answering.main([])
    embedding_threads.main([])
    api_load.main([])
    whatsapp_load.main([])
    matching.main([])
    speech.main([])
