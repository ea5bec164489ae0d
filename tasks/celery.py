"""The Celery application for `celery -A tasks worker` and `celery -A tasks beat`."""
from wsgi import app as flask_app

app = flask_app.extensions["celery"]
