"""Members sign in on their phones with a one-time code sent by SMS (through notify)."""
