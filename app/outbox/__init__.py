"""The outbox: events written in the business transaction, then pushed by the worker and offered as public feeds."""
