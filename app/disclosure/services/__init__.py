"""Disclosure services: masking, settings, drafts, publication, the dashboard and the portal's reads."""
