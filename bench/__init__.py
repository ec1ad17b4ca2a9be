"""Benchmarks of the whole pipeline (`pns bench`): they time what every stage does together, so they sit on top."""
