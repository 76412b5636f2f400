"""Print fresh local secrets as environment lines (development / single-machine installs)."""

import secrets

from services.infra.pii import new_key

print(f"PII_KEY={new_key()}")
print(f"PII_HASH_KEY={new_key()}")
print(f"TOKEN_SECRET={secrets.token_urlsafe(48)}")
