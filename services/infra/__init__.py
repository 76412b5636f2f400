"""Infrastructure shared by the services: store factory, events, outbox, reliable consumption,
metrics, config, logging, crypto and translations. No domain code lives here."""
