"""The face verification engine: plain Python, no Django or Celery (see DESIGN.md)."""
