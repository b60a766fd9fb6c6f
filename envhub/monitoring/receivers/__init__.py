"""Receivers: the ways monitoring files reach envhub (FTP here; HTTP is in `monitoring.api`;
folders and archives in `envhub ingest`). Each one only moves bytes: every file goes through the
one ingestion service, `monitoring.ingest.ingest`."""
