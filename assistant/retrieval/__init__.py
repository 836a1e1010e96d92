"""Retrieval: the on-disk index, BM25 per language, FAISS dense search and their language-aware fusion."""
