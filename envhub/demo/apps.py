from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo country: no models (nothing for the admin to name), only its generators and the
    `envhub demo` command. The top room: it may import every other app, and none imports it."""

    name = "envhub.demo"
    label = "demo"
