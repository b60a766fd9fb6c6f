"""The catalogue's own provider: file datasets published by stewards (see files.py)."""

from envhub.catalog import files  # noqa: F401 - registers FileDatasets
