"""Answering: grounded answers in the asker's language, with citations, or an honest "I don't know"."""
