"""Knowledge: what the guides become in the index, and the structured knowledge base beside them.

documents.py  a file of any supported format -> `Document` (front matter, text, zip-bomb checks)
chunking.py   `Document` -> `Chunk`s that the embedding model sees whole, with stable ids
ingest.py     files in, a new index version out, incrementally and crash-safely
uploads.py    the checks on a document staff upload, before it is saved and ingested
catalog.py    skills taxonomy, resources and learning pathways (`knowledge_base/*.yaml`)
"""
