"""Corpus: the documents, their loading and cleaning, and the plan's structure (themes, objectives, actors)."""
