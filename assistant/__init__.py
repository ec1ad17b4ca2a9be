"""Assistant: question understanding, retrieval and cited answers."""
