"""WSGI entry for gunicorn: ``gunicorn -c gateway/gunicorn.conf.py gateway.wsgi:app``."""

from services.infra.logs import configure_logging

configure_logging("gateway")

from gateway.app import create_app  # noqa: E402

app = create_app()
