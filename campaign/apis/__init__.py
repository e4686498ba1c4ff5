"""DRF views of the campaign app, one module per area; routes in campaign/urls.py."""
