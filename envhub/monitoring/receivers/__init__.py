"""Receivers: the ways monitoring files reach envhub — FTP (`ftp`), HTTP (`http`, routed in
`monitoring.api`) and folders and archives (`folder`, the `envhub ingest` command). Each one only
moves bytes: every file goes through the one ingestion service, `monitoring.ingest.ingest`."""
