"""Evaluation of the assistant: retrieval and answer metrics, and the report that presents them."""
