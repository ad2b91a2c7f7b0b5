"""Producing notifications (`produce`), preferences (`preferences`), sending the outbox (`send`)."""
