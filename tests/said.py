"""What an `envhub check` function said (`core.health.Report`), kept as (level, message)
pairs in order, for tests to read."""


class Said(list):
    def ok(self, message):
        self.append(("ok", message))

    def warn(self, message):
        self.append(("warn", message))

    def error(self, message):
        self.append(("error", message))
