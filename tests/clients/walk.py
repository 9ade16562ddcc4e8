#!/usr/bin/env python3
"""An independent UCWA client (standard library only) that signs in and sends an IM by following
links, as SendAnIM.md and ReceiveAnIM.md walk it. It shares no code with the suite.

root at the host (/) -> xframe -> user (401, MsRtcOAuth challenge) -> token (multipart/form-data)
-> user -> applications (twice: the same application) -> batch (myContacts and me)
-> makeMeAvailable -> startMessaging -> events until messaging is
Connected -> sendMessage -> its completed event -> stopMessaging -> the conversation's end -> 404.

Usage: walk.py HOST_URL USER PASSWORD PEER [json|xml]
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

UCWA = "http://schemas.microsoft.com/rtc/2012/03/ucwa"
NS = "{" + UCWA + "}"


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


def resource_json(obj):
    """{rel, href, props, links, embedded} of a JSON resource (a rel may repeat: lists)."""
    links = {}
    for rel, link in obj.get("_links", {}).items():
        links[rel] = (link[0] if isinstance(link, list) else link)["href"]
    embedded = {}
    for rel, value in obj.get("_embedded", {}).items():
        items = value if isinstance(value, list) else [value]
        embedded[rel] = [resource_json(i) for i in items]
    props = {k: v for k, v in obj.items() if not k.startswith("_") and k != "rel"}
    return {"rel": obj.get("rel"), "href": links.get("self"), "props": props, "links": links, "embedded": embedded}


def resource_xml(node):
    """The same shape for an XML <resource>."""
    out = {"rel": node.get("rel"), "href": node.get("href"), "props": {}, "links": {}, "embedded": {}}
    for child in node:
        tag = child.tag[len(NS):]
        if tag == "link":
            out["links"][child.get("rel")] = child.get("href")
        elif tag == "property":
            out["props"][child.get("name")] = child.text or ""
        elif tag == "propertyList":
            out["props"][child.get("name")] = [i.text or "" for i in child]
        elif tag == "resource":
            out["embedded"].setdefault(child.get("rel"), []).append(resource_xml(child))
    return out


def parse(body, media):
    return resource_json(json.loads(body)) if media == "json" else resource_xml(ET.fromstring(body))


def xml_input(properties, lists=None):
    parts = [f'<property name="{k}">{v}</property>' for k, v in properties.items()]
    for name, items in (lists or {}).items():
        parts.append(f'<propertyList name="{name}">' + "".join(f"<item>{i}</item>" for i in items) + "</propertyList>")
    return f'<input xmlns="{UCWA}">{"".join(parts)}</input>'.encode()


def body_of(media, properties, lists=None):
    if media == "json":
        return json.dumps({**properties, **(lists or {})}).encode()
    return xml_input(properties, lists)


class Channel:
    """The application's event channel: pending GETs following `next`, every event kept."""

    def __init__(self, url, token, media):
        self.url, self.token, self.media, self.seen = url, token, media, []

    def poll(self):
        mime = "application/" + self.media
        status, _, body = call("GET", self.url, self.token, accept=mime)
        expect(status == 200, f"events answered {status}: {body[:200]!r}")
        if self.media == "json":
            batch = json.loads(body)
            for sender in batch.get("sender", []):
                for e in sender["events"]:
                    rel = e["link"]["rel"]
                    embedded = e.get("_embedded", {}).get(rel)
                    self.seen.append({
                        "type": e["type"], "rel": rel, "href": self.absolute(e["link"]["href"]),
                        "sender": sender["rel"], "sender_href": self.absolute(sender["href"]),
                        "status": e.get("status"), "resource": resource_json(embedded) if embedded else None,
                    })
            self.url = self.absolute(batch["_links"]["next"]["href"])
        else:
            root = ET.fromstring(body)
            for sender in root.findall(NS + "sender"):
                for e in sender:
                    embedded = e.find(NS + "resource")
                    self.seen.append({
                        "type": e.tag[len(NS):], "rel": e.get("rel"), "href": self.absolute(e.get("href")),
                        "sender": sender.get("rel"), "sender_href": self.absolute(sender.get("href")),
                        "status": e.get("status"), "resource": resource_xml(embedded) if embedded is not None else None,
                    })
            nxt = [l for l in root.findall(NS + "link") if l.get("rel") == "next"]
            expect(nxt, "an event batch without a next link")
            self.url = self.absolute(nxt[0].get("href"))

    def absolute(self, href):
        return urllib.parse.urljoin(self.url, href)

    def wait(self, what, test, polls=20):
        for _ in range(polls):
            found = [e for e in self.seen if test(e)]
            if found:
                return found[0]
            self.poll()
        sys.exit(f"walk failed: no {what} in {[(e['type'], e['rel']) for e in self.seen]}")


def main():
    host, user, password, peer = sys.argv[1:5]
    media = sys.argv[5] if len(sys.argv) > 5 else "json"
    mime = "application/" + media

    status, headers, body = call("GET", host, accept=mime)
    expect(status == 200, f"the root at the host answered {status}")
    root = parse(body, media)
    user_url = urllib.parse.urljoin(host, root["links"]["user"])
    xframe = urllib.parse.urljoin(host, root["links"]["xframe"])
    print("root at", host, "-> user", user_url)

    status, headers, _ = call("GET", xframe, accept="text/html")
    expect(status == 200 and headers["Content-Type"].startswith("text/html"), f"xframe answered {status}")
    print("xframe is a page")

    status, headers, _ = call("GET", user_url)
    expect(status == 401, f"user without a token answered {status}")
    challenges = headers.get_all("WWW-Authenticate") or []
    oauth = [c for c in challenges if c.startswith("MsRtcOAuth")]
    expect(oauth, f"no MsRtcOAuth challenge in {challenges}")
    token_url = urllib.parse.urljoin(user_url, re.search(r'href="([^"]+)"', oauth[0]).group(1))
    print("401 challenge -> token endpoint", token_url)

    boundary = "walk" + uuid.uuid4().hex
    fields = {"grant_type": "password", "username": user, "password": password}
    form = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items())
    form = (form + f"--{boundary}--\r\n").encode()
    status, _, body = call("POST", token_url, body=form, content_type=f"multipart/form-data; boundary={boundary}")
    expect(status == 200, f"token endpoint answered {status}: {body[:200]!r}")
    token = json.loads(body)["access_token"]
    print("token issued (multipart/form-data)")

    status, _, body = call("GET", user_url, token, accept=mime)
    expect(status == 200, f"user with a token answered {status}")
    apps_url = urllib.parse.urljoin(user_url, parse(body, media)["links"]["applications"])
    app_input = body_of(media, {"UserAgent": "walk.py", "EndpointId": str(uuid.uuid4()), "Culture": "en-US"})
    status, _, body = call("POST", apps_url, token, app_input, mime, mime)
    expect(status == 201, f"POST applications answered {status}: {body[:200]!r}")
    app = parse(body, media)
    app_url = urllib.parse.urljoin(apps_url, app["href"])
    me = app["embedded"]["me"][0]
    communication = app["embedded"]["communication"][0]
    start_url = urllib.parse.urljoin(app_url, communication["links"]["startMessaging"])
    channel = Channel(urllib.parse.urljoin(app_url, app["links"]["events"]), token, media)
    print("application", app_url)

    # MultiTabSupport.md: the same culture, endpointId, type and userAgent are the same application.
    status, _, body = call("POST", apps_url, token, app_input, mime, mime)
    expect(status == 200, f"POST applications again answered {status}: {body[:200]!r}")
    again = parse(body, media)
    expect(urllib.parse.urljoin(apps_url, again["href"]) == app_url, f"another application: {again['href']}")
    print("the same application again -> 200")

    # BatchingRequests.md: myContacts and me in one multipart/batching request.
    contacts_url = urllib.parse.urljoin(app_url, app["embedded"]["people"][0]["links"]["myContacts"])
    me_url = urllib.parse.urljoin(app_url, me["href"])
    boundary = uuid.uuid4().hex
    parts = "".join(
        f"--{boundary}\r\nContent-Type: application/http; msgtype=request\r\n\r\n"
        f"GET {urllib.parse.urlsplit(u).path} HTTP/1.1\r\nHost: {urllib.parse.urlsplit(u).netloc}\r\nAccept: {mime}\r\n\r\n"
        for u in (contacts_url, me_url)
    )
    batch_url = urllib.parse.urljoin(app_url, app["links"]["batch"])
    status, headers, body = call(
        "POST", batch_url, token, (parts + f"--{boundary}--\r\n").encode(),
        f"multipart/batching;boundary={boundary}", "multipart/batching")
    expect(status == 200, f"batch answered {status}: {body[:200]!r}")
    answer_type = headers["Content-Type"]
    expect(answer_type.startswith("multipart/batching"), f"batch answered {answer_type}")
    answer_boundary = answer_type.split("boundary=")[1].strip('"')
    answers = [p for p in body.decode().split("--" + answer_boundary) if "msgtype=response" in p]
    expect(len(answers) == 2, f"batch answered {len(answers)} parts")
    for answer, rel in zip(answers, ("myContacts", "me")):
        http = answer.split("\r\n\r\n", 1)[1]
        status_line, rest = http.split("\r\n", 1)
        expect(" 200 " in status_line, f"batch part {rel}: {status_line}")
        part = parse(rest.split("\r\n\r\n", 1)[1].strip().encode(), media)
        expect(part["rel"] == rel, f"batch part is {part['rel']}, not {rel}")
    print("batch -> myContacts and me")

    available = urllib.parse.urljoin(app_url, me["links"]["makeMeAvailable"])
    status, _, body = call("POST", available, token, body_of(media, {}, {"SupportedModalities": ["Messaging"]}), mime, mime)
    expect(status == 204, f"makeMeAvailable answered {status}: {body[:200]!r}")
    updated = channel.wait("communication updated", lambda e: e["type"] == "updated" and e["rel"] == "communication")
    modalities = updated["resource"]["props"].get("supportedModalities")
    expect(modalities == ["Messaging"], f"communication's supportedModalities is {modalities}")
    print("makeMeAvailable -> 204; communication now offers", modalities)

    operation_id = uuid.uuid4().hex
    start = body_of(media, {"operationId": operation_id, "to": peer, "subject": "walk"})
    status, headers, body = call("POST", start_url, token, start, mime, mime)
    expect(status == 201, f"startMessaging answered {status}: {body[:200]!r}")
    invitation_url = urllib.parse.urljoin(start_url, headers["Location"])
    status, _, body = call("GET", invitation_url, token, accept=mime)
    expect(status == 200, f"GET Location answered {status}")
    invitation = parse(body, media)
    expect(invitation["rel"] == "messagingInvitation", f"the Location is a {invitation['rel']}")
    conversation_url = urllib.parse.urljoin(invitation_url, invitation["links"]["conversation"])
    print("startMessaging -> 201, Location", invitation_url)

    messaging = channel.wait(
        "messaging Connected",
        lambda e: e["type"] == "updated" and e["rel"] == "messaging" and e["sender"] == "conversation"
        and e["sender_href"].lower() == conversation_url.lower() and e["resource"]["props"].get("state") == "Connected",
    )
    completed = channel.wait(
        "the invitation's completed event",
        lambda e: e["type"] == "completed" and e["rel"] == "messagingInvitation"
        and e["resource"]["props"].get("operationId") == operation_id,
    )
    expect(completed["status"] == "Success", f"the invitation completed with {completed['status']}")
    send_url = urllib.parse.urljoin(conversation_url, messaging["resource"]["links"]["sendMessage"])
    stop_url = urllib.parse.urljoin(conversation_url, messaging["resource"]["links"]["stopMessaging"])
    print("messaging Connected; invitation completed with Success")

    status, headers, body = call("POST", send_url + "?OperationContext=" + uuid.uuid4().hex, token,
                                 "What's up?".encode(), "text/plain", mime)
    expect(status == 201, f"sendMessage answered {status}: {body[:200]!r}")
    message_url = urllib.parse.urljoin(send_url, headers["Location"])
    sent = channel.wait(
        "the message's completed event",
        lambda e: e["type"] == "completed" and e["rel"] == "message" and e["href"].lower() == message_url.lower(),
    )
    expect(sent["status"] == "Success", f"the message completed with {sent['status']}")
    print("sendMessage -> 201", message_url, "; completed with Success")

    status, _, body = call("POST", stop_url, token, b"", None, mime)
    expect(status == 204, f"stopMessaging answered {status}: {body[:200]!r}")
    channel.wait(
        "the conversation's deleted event",
        lambda e: e["type"] == "deleted" and e["rel"] == "conversation" and e["href"].lower() == conversation_url.lower(),
    )
    status, _, _ = call("GET", conversation_url, token, accept=mime)
    expect(status == 404, f"the ended conversation answered {status}")
    print("stopMessaging -> 204; conversation deleted, then 404")
    status, _, _ = call("DELETE", app_url, token, accept=mime)
    expect(status == 204, f"DELETE on the application answered {status}")
    print("application deleted")
    print("walk ok")


if __name__ == "__main__":
    main()
