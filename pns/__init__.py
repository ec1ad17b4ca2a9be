"""PNS Assistant: shared kernel (settings, errors, domain types) and the `pns` command line."""

__version__ = "0.1.0"
