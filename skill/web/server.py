"""Run the web service under gunicorn from Python, so ``cramp-coach serve`` needs no shell glue."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.config import Config

from skill.config import Settings


class SkillServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with the skill's app factory; each worker builds its own app and connections."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from skill.web.app import create_app

        return create_app(self.settings)


def gunicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """The gunicorn settings of `cramp-coach serve` (the benchmarks serve their baseline with them too)."""
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        # Alexa gives an endpoint about 8 s; a stuck worker is killed before that matters twice.
        "timeout": 30,
        "graceful_timeout": 5,
        "accesslog": "-",
        "loglevel": settings.log_level.lower(),
        # The access log must not include query strings or bodies; ids are logged by the skill.
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
    }
    # gunicorn >= 25.1 opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl), which
    # every instance on the machine would share; the skill needs no runtime control.
    if "control_socket_disable" in Config().settings:
        options["control_socket_disable"] = True
    return options


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted (plain HTTP: put a TLS proxy in front in production)."""
    SkillServer(settings, gunicorn_options(settings, host, port, workers)).run()
