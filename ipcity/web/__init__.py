"""The web front door: create_app(settings), dependencies, error pages, layout, static assets."""
