#!/usr/bin/env python3
"""An independent UCWA client (standard library only) that walks the reference server by
following links: root -> user (401, MsRtcOAuth challenge) -> token -> applications ->
application -> startMessaging -> Location -> events. It shares no code with the suite.

Usage: walk.py BASE_URL USER PASSWORD PEER [json|xml]
Prints one line per step; exits non-zero with a message when a step is not as expected.
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/rtc/2012/03/ucwa}"


def call(method, url, token=None, body=None, content_type=None, accept="application/json"):
    req = urllib.request.Request(url, method=method, data=body)
    req.add_header("Accept", accept)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def expect(condition, message):
    if not condition:
        sys.exit("walk failed: " + message)


def main():
    base, user, password, peer = sys.argv[1:5]
    media = sys.argv[5] if len(sys.argv) > 5 else "json"
    status, _, body = call("GET", base)
    expect(status == 200, f"root answered {status}")
    user_url = urllib.parse.urljoin(base, json.loads(body)["_links"]["user"]["href"])
    print("root -> user", user_url)

    status, headers, _ = call("GET", user_url)
    expect(status == 401, f"user without a token answered {status}")
    challenges = headers.get_all("WWW-Authenticate") or []
    oauth = [c for c in challenges if c.startswith("MsRtcOAuth")]
    expect(oauth, f"no MsRtcOAuth challenge in {challenges}")
    token_url = urllib.parse.urljoin(user_url, re.search(r'href="([^"]+)"', oauth[0]).group(1))
    print("401 challenge -> token endpoint", token_url)

    form = urllib.parse.urlencode({"grant_type": "password", "username": user, "password": password}).encode()
    status, _, body = call("POST", token_url, body=form, content_type="application/x-www-form-urlencoded")
    expect(status == 200, f"token endpoint answered {status}")
    token = json.loads(body)["access_token"]
    print("token issued")

    status, _, body = call("GET", user_url, token)
    expect(status == 200, f"user with a token answered {status}")
    apps_url = urllib.parse.urljoin(user_url, json.loads(body)["_links"]["applications"]["href"])
    app_input = json.dumps({"UserAgent": "walk.py", "EndpointId": str(uuid.uuid4()), "Culture": "en-US"}).encode()
    status, _, body = call("POST", apps_url, token, app_input, "application/json")
    expect(status == 201, f"POST applications answered {status}")
    app = json.loads(body)
    app_url = urllib.parse.urljoin(apps_url, app["_links"]["self"]["href"])
    start_url = urllib.parse.urljoin(app_url, app["_embedded"]["communication"]["_links"]["startMessaging"]["href"])
    events_url = urllib.parse.urljoin(app_url, app["_links"]["events"]["href"])
    print("application", app_url, "-> startMessaging", start_url)

    operation_id = uuid.uuid4().hex
    mime = "application/" + media
    if media == "json":
        start_input = json.dumps({"operationId": operation_id, "to": peer}).encode()
    else:
        start_input = (f'<input xmlns="{NS[1:-1]}"><property name="operationId">{operation_id}</property>'
                       f'<property name="to">{peer}</property></input>').encode()
    status, headers, body = call("POST", start_url, token, start_input, mime, mime)
    expect(status == 201, f"startMessaging answered {status}: {body[:200]!r}")
    location = urllib.parse.urljoin(start_url, headers["Location"])
    print("startMessaging -> 201, Location", location)

    status, _, body = call("GET", location, token, accept=mime)
    expect(status == 200, f"GET Location answered {status}")
    if media == "json":
        rel = json.loads(body)["rel"]
    else:
        rel = ET.fromstring(body).get("rel")
    expect(rel == "messagingInvitation", f"the Location is a {rel}")
    print("Location is a", rel)

    seen = []
    for _ in range(10):
        status, _, body = call("GET", events_url, token, accept=mime)
        expect(status == 200, f"events answered {status}")
        if media == "json":
            batch = json.loads(body)
            for sender in batch.get("sender", []):
                for event in sender["events"]:
                    embedded = event.get("_embedded", {}).get(event["link"]["rel"], {})
                    seen.append((event["type"], event["link"]["rel"], embedded.get("operationId"), event.get("status")))
            events_url = urllib.parse.urljoin(events_url, batch["_links"]["next"]["href"])
        else:
            root = ET.fromstring(body)
            for sender in root.findall(NS + "sender"):
                for event in sender:
                    resource = event.find(NS + "resource")
                    op = None
                    if resource is not None:
                        for prop in resource.findall(NS + "property"):
                            if prop.get("name") == "operationId":
                                op = prop.text
                    seen.append((event.tag[len(NS):], event.get("rel"), op, event.get("status")))
            nxt = [l for l in root.findall(NS + "link") if l.get("rel") == "next"]
            events_url = urllib.parse.urljoin(events_url, nxt[0].get("href"))
        if any(e[0] == "completed" for e in seen):
            break
    print("events:", seen)
    expect(("started", "messagingInvitation", operation_id, None) in seen, "no started event with the operationId")
    expect(any(e[0] == "completed" and e[2] == operation_id for e in seen), "no completed event with the operationId")
    print("walk ok")


if __name__ == "__main__":
    main()
