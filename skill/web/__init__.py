"""The web service: Flask app, gunicorn server, request verification and its trust store."""
