"""Django's SQLite backend, with writers that take the write lock as soon as it is free."""
