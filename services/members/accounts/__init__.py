"""Staff accounts, their sessions and kiosk pairing: a part of the members service with the same
inner shape (commands, domain, handlers, store, schemas, entrypoints)."""
