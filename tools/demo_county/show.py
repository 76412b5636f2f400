"""Print the URL and the demo logins: ``python -m tools.demo_county.show var/demo-logins.json URL``"""

import json
import sys
from pathlib import Path

logins = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
url = sys.argv[2]
card = logins["members"][0]
phone = logins["member_sign_in"]
print(f"""
智慧党建 platform is up at {url}   (OpenAPI: {url}/api/v1/openapi.json)
  web console:    {url}/      sign in as a demo staff account (first passwords: above, on the first start, and in the logins file)
  kiosk page:     {url}/kiosk pair it with a code from the console's 签到终端 page, then type a card
  members' pages: {url}/m     sign in with the demo member's phone and the code texted to the file
demo county: {logins["counts"]}   (first load took {logins["load_seconds"]} s)
logins (tokens) are in {sys.argv[1]}:
  admin (county operator, {logins["admin"]["scope"]})
  branch secretary ({logins["branch_secretary"]["scope"]})
  kiosk {logins["kiosk"]["device_id"]} at {logins["kiosk"]["place"]}
  open meeting {logins["open_meeting"]["meeting_id"]}: {logins["open_meeting"]["title"]}
  member cards: {", ".join(m["card_uid"] for m in logins["members"])}
  staff accounts (console {url}/ or POST {url}/api/v1/auth/sign-in; first passwords in the file):
    {", ".join(a["username"] for a in logins.get("accounts", []))}
  member on a phone ({url}/m): {phone["name"]} {phone["phone"]}; texts (codes) go to {phone["sms_file"]}

Try a sign-in at the kiosk, then read the points and the inbox:
  curl -s -X POST {url}/api/v1/kiosk/check-ins -H 'Authorization: Bearer {logins["kiosk"]["token"][:16]}…' \\
       -H 'Content-Type: application/json' -d '{{"card_uid": "{card["card_uid"]}", "meeting_id": "{logins["open_meeting"]["meeting_id"]}"}}'
  curl -s {url}/api/v1/members/{card["member_id"]}/scorecard -H 'Authorization: Bearer <members[0].token>'
  curl -s {url}/api/v1/members/{card["member_id"]}/inbox -H 'Authorization: Bearer <members[0].token>'
(full tokens: jq -r .kiosk.token {sys.argv[1]})

Sign in as a member with an SMS code (the demo's texts are written to the file, number masked):
  curl -s -X POST {url}/api/v1/auth/member-code -H 'Content-Type: application/json' -d '{{"phone": "{phone["phone"]}"}}'
  tail -n 1 {phone["sms_file"]}
  curl -s -X POST {url}/api/v1/auth/member-sign-in -H 'Content-Type: application/json' -d '{{"phone": "{phone["phone"]}", "code": "<the 6 digits>"}}'
""")
