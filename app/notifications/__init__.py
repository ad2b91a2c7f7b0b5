"""Notifications: the in-app bell and list, e-mail (SMTP) and an SMS hook, produced and sent by the worker."""
