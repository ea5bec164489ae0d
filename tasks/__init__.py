"""Background jobs (Celery). `celery -A tasks worker` finds the app in tasks/celery.py."""
