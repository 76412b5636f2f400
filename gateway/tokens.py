"""Operator tool: issue a token. ``python -m gateway.tokens --role org_admin --scope /hj --subject alice``"""

from __future__ import annotations

import argparse
import os

from gateway.auth import ROLES, issue_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--scope", required=True, help="organization path, e.g. /hj/hj-s01")
    parser.add_argument("--subject", required=True, help="user id, member id or device id")
    parser.add_argument("--device")
    parser.add_argument("--days", type=float, default=30)
    args = parser.parse_args()
    secret = os.environ["TOKEN_SECRET"]
    print(
        issue_token(
            secret,
            subject=args.subject,
            role=args.role,
            scope=args.scope,
            device=args.device,
            ttl_days=args.days,
        )
    )


if __name__ == "__main__":
    main()
