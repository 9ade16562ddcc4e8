// A second independent UCWA client, in JavaScript for Node (no packages), written the way the
// browser helper library of the UCWA samples behaves (Transport.js, Authentication.js,
// Events.js): response headers are looked up by their exact names (`Content-Type`,
// `WWW-Authenticate`, `Location`), the token request is form-encoded with the library's quoted
// charset, a JSON body is parsed only when `Content-Type` says application/json, and the
// application's events are read by following `next`. It shares no code with the suite or walk.py.
//
// Usage: node walk.mjs HOST_URL USER PASSWORD PEER [json|xml]
// Prints one line per step; exits non-zero with a message when a step is not as expected.

import http from "node:http";
import { randomUUID } from "node:crypto";

const UCWA = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

function fail(message) {
  console.error("walk failed: " + message);
  process.exit(1);
}

function expect(condition, message) {
  if (!condition) fail(message);
}

// One request; the answer keeps every header under the exact name the server wrote.
function call(method, url, { token, body, contentType, accept = "application/json" } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { Accept: accept };
    if (token) headers.Authorization = "Bearer " + token;
    if (contentType !== undefined) headers["Content-Type"] = contentType;
    const request = http.request(url, { method, headers, timeout: 10000 }, (response) => {
      const chunks = [];
      response.on("data", (c) => chunks.push(c));
      response.on("end", () => {
        const exact = {};
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          const name = response.rawHeaders[i];
          (exact[name] ||= []).push(response.rawHeaders[i + 1]);
        }
        resolve({ status: response.statusCode, headers: exact, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

// The first value of a header, by its exact name (as Transport.js reads it).
function header(answer, name) {
  return (answer.headers[name] || [])[0];
}

// A minimal XML reader for UCWA documents: elements, attributes, text.
function parseXml(text) {
  const root = { name: "#document", attrs: {}, children: [], text: "" };
  const stack = [root];
  const token = /<\?[^>]*\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  const unescape = (s) =>
    s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  let m;
  while ((m = token.exec(text)) !== null) {
    const [, closing, name, attrText, selfClosing, chars] = m;
    if (chars !== undefined) {
      stack[stack.length - 1].text += unescape(chars);
    } else if (name && closing) {
      stack.pop();
    } else if (name) {
      const attrs = {};
      for (const a of attrText.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attrs[a[1]] = unescape(a[2] ?? a[3]);
      }
      const node = { name: name.split(":").pop(), attrs, children: [], text: "" };
      stack[stack.length - 1].children.push(node);
      if (!selfClosing) stack.push(node);
    }
  }
  return root.children[0];
}

// {rel, href, props, links, embedded} of a resource in either representation.
function resourceJson(obj) {
  const links = {};
  for (const [rel, link] of Object.entries(obj._links || {})) links[rel] = (Array.isArray(link) ? link[0] : link).href;
  const embedded = {};
  for (const [rel, value] of Object.entries(obj._embedded || {})) {
    embedded[rel] = (Array.isArray(value) ? value : [value]).map(resourceJson);
  }
  const props = {};
  for (const [k, v] of Object.entries(obj)) if (!k.startsWith("_") && k !== "rel") props[k] = v;
  return { rel: obj.rel, href: links.self, props, links, embedded };
}

function resourceXml(node) {
  const out = { rel: node.attrs.rel, href: node.attrs.href, props: {}, links: {}, embedded: {} };
  for (const child of node.children) {
    if (child.name === "link") out.links[child.attrs.rel] = child.attrs.href;
    else if (child.name === "property") out.props[child.attrs.name] = child.text;
    else if (child.name === "propertyList") out.props[child.attrs.name] = child.children.map((i) => i.text);
    else if (child.name === "resource") (out.embedded[child.attrs.rel] ||= []).push(resourceXml(child));
  }
  return out;
}

function parse(answer, media) {
  const type = header(answer, "Content-Type") || "";
  if (media === "json") {
    expect(type.includes("application/json"), `Content-Type is \`${type}\`, not application/json`);
    return resourceJson(JSON.parse(answer.body));
  }
  expect(type.includes("xml"), `Content-Type is \`${type}\`, not XML`);
  return resourceXml(parseXml(answer.body));
}

function inputOf(media, properties, lists = {}) {
  if (media === "json") return JSON.stringify({ ...properties, ...lists });
  let parts = "";
  for (const [k, v] of Object.entries(properties)) parts += `<property name="${k}">${v}</property>`;
  for (const [k, items] of Object.entries(lists)) {
    parts += `<propertyList name="${k}">` + items.map((i) => `<item>${i}</item>`).join("") + "</propertyList>";
  }
  return `<input xmlns="${UCWA}">${parts}</input>`;
}

const join = (base, href) => new URL(href, base).toString();

// The event channel: pending GETs following `next`; every event kept.
class Channel {
  constructor(url, token, media) {
    Object.assign(this, { url, token, media, seen: [] });
  }

  async poll() {
    const answer = await call("GET", this.url, { token: this.token, accept: "application/" + this.media });
    expect(answer.status === 200, `events answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    if (this.media === "json") {
      const batch = JSON.parse(answer.body);
      for (const sender of batch.sender || []) {
        for (const e of sender.events) {
          const embedded = (e._embedded || {})[e.link.rel];
          this.seen.push({
            type: e.type, rel: e.link.rel, href: join(this.url, e.link.href),
            sender: sender.rel, senderHref: join(this.url, sender.href),
            status: e.status, resource: embedded ? resourceJson(embedded) : null,
          });
        }
      }
      this.url = join(this.url, batch._links.next.href);
    } else {
      const root = parseXml(answer.body);
      for (const sender of root.children.filter((c) => c.name === "sender")) {
        for (const e of sender.children) {
          const embedded = e.children.find((c) => c.name === "resource");
          this.seen.push({
            type: e.name, rel: e.attrs.rel, href: join(this.url, e.attrs.href),
            sender: sender.attrs.rel, senderHref: join(this.url, sender.attrs.href),
            status: e.attrs.status, resource: embedded ? resourceXml(embedded) : null,
          });
        }
      }
      const next = root.children.find((c) => c.name === "link" && c.attrs.rel === "next");
      expect(next, "an event batch without a next link");
      this.url = join(this.url, next.attrs.href);
    }
  }

  async wait(what, test) {
    for (let i = 0; i < 20; i++) {
      const found = this.seen.find(test);
      if (found) return found;
      await this.poll();
    }
    fail(`no ${what} in ${JSON.stringify(this.seen.map((e) => [e.type, e.rel]))}`);
  }
}

async function main() {
  const [host, user, password, peer, media = "json"] = process.argv.slice(2);
  const mime = "application/" + media;

  let answer = await call("GET", host, { accept: mime });
  expect(answer.status === 200, `the root at the host answered ${answer.status}`);
  const root = parse(answer, media);
  const userUrl = join(host, root.links.user);
  console.log("root at", host, "-> user", userUrl);

  answer = await call("GET", userUrl);
  expect(answer.status === 401, `user without a token answered ${answer.status}`);
  const challenges = answer.headers["WWW-Authenticate"] || [];
  const oauth = challenges.find((c) => c.startsWith("MsRtcOAuth"));
  expect(oauth, `no \`WWW-Authenticate\` header (by that exact name) with MsRtcOAuth: ${JSON.stringify(answer.headers)}`);
  const tokenUrl = join(userUrl, /href="([^"]+)"/.exec(oauth)[1]);
  console.log("401 challenge -> token endpoint", tokenUrl);

  const form = new URLSearchParams({ grant_type: "password", username: user, password }).toString();
  answer = await call("POST", tokenUrl, { body: form, contentType: "application/x-www-form-urlencoded;charset='utf-8'" });
  expect(answer.status === 200, `token endpoint answered ${answer.status}: ${answer.body}`);
  expect((header(answer, "Content-Type") || "").includes("application/json"), "the token answer is not JSON by its Content-Type");
  const token = JSON.parse(answer.body).access_token;
  console.log("token issued (form, quoted charset)");

  answer = await call("GET", userUrl, { token, accept: mime });
  expect(answer.status === 200, `user with a token answered ${answer.status}`);
  const appsUrl = join(userUrl, parse(answer, media).links.applications);
  const appInput = inputOf(media, { UserAgent: "walk.mjs", EndpointId: randomUUID(), Culture: "en-US" });
  answer = await call("POST", appsUrl, { token, body: appInput, contentType: mime, accept: mime });
  expect(answer.status === 201, `POST applications answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  const app = parse(answer, media);
  const appUrl = join(appsUrl, app.href);
  const me = app.embedded.me[0];
  const startUrl = join(appUrl, app.embedded.communication[0].links.startMessaging);
  const channel = new Channel(join(appUrl, app.links.events), token, media);
  console.log("application", appUrl);

  // MultiTabSupport.md: the same culture, endpointId, type and userAgent are the same application.
  answer = await call("POST", appsUrl, { token, body: appInput, contentType: mime, accept: mime });
  expect(answer.status === 200, `POST applications again answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  expect(join(appsUrl, parse(answer, media).href) === appUrl, "POST applications again made another application");
  console.log("the same application again -> 200");

  // BatchingRequests.md: myContacts and me in one multipart/batching request, read as Batch.js does.
  const boundary = randomUUID();
  const targets = [join(appUrl, app.embedded.people[0].links.myContacts), join(appUrl, me.href)];
  const parts = targets
    .map((u) => `--${boundary}\r\nContent-Type: application/http; msgtype=request\r\n\r\nGET ${new URL(u).pathname} HTTP/1.1\r\nHost: ${new URL(u).host}\r\nAccept: ${mime}\r\n\r\n`)
    .join("");
  answer = await call("POST", join(appUrl, app.links.batch), {
    token, body: parts + `--${boundary}--\r\n`, contentType: `multipart/batching;boundary=${boundary}`, accept: "multipart/batching",
  });
  expect(answer.status === 200, `batch answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  const batchType = header(answer, "Content-Type") || "";
  expect(batchType.startsWith("multipart/batching"), `batch answered ${batchType}`);
  const answerBoundary = batchType.split("boundary=")[1].replace(/"/g, "");
  const answers = answer.body.split("--" + answerBoundary).filter((p) => p.includes("msgtype=response"));
  expect(answers.length === 2, `batch answered ${answers.length} parts`);
  ["myContacts", "me"].forEach((rel, i) => {
    const http = answers[i].split("\r\n\r\n").slice(1);
    expect(/ 200 /.test(http[0].split("\r\n")[0]), `batch part ${rel}: ${http[0].split("\r\n")[0]}`);
    const headers = {};
    for (const line of http[0].split("\r\n").slice(1)) {
      const colon = line.indexOf(":");
      (headers[line.slice(0, colon)] ||= []).push(line.slice(colon + 1).trim());
    }
    const part = parse({ body: http.slice(1).join("\r\n\r\n").trim(), headers }, media);
    expect(part.rel === rel, `batch part is ${part.rel}, not ${rel}`);
  });
  console.log("batch -> myContacts and me");

  const available = join(appUrl, me.links.makeMeAvailable);
  answer = await call("POST", available, { token, body: inputOf(media, {}, { SupportedModalities: ["Messaging"] }), contentType: mime, accept: mime });
  expect(answer.status === 204, `makeMeAvailable answered ${answer.status}: ${answer.body}`);
  answer = await call("GET", appUrl, { token, accept: mime });
  expect(answer.status === 200, `GET application answered ${answer.status}`);
  console.log("makeMeAvailable -> 204; application read back (signed in)");

  const operationId = randomUUID().replace(/-/g, "");
  const start = inputOf(media, { operationId, to: peer, subject: "walk.mjs" });
  answer = await call("POST", startUrl, { token, body: start, contentType: mime, accept: mime });
  expect(answer.status === 201, `startMessaging answered ${answer.status}: ${answer.body}`);
  const location = header(answer, "Location");
  expect(location, `no \`Location\` header (by that exact name): ${JSON.stringify(answer.headers)}`);
  const invitationUrl = join(startUrl, location);
  answer = await call("GET", invitationUrl, { token, accept: mime });
  const invitation = parse(answer, media);
  expect(invitation.rel === "messagingInvitation", `the Location is a ${invitation.rel}`);
  const conversationUrl = join(invitationUrl, invitation.links.conversation);
  console.log("startMessaging -> 201, Location", invitationUrl);

  const messaging = await channel.wait(
    "messaging Connected with sendMessage",
    (e) => e.type === "updated" && e.rel === "messaging" && e.sender === "conversation" &&
      e.senderHref.toLowerCase() === conversationUrl.toLowerCase() &&
      e.resource && e.resource.props.state === "Connected" && e.resource.links.sendMessage,
  );
  console.log("messaging Connected");

  const sendUrl = join(conversationUrl, messaging.resource.links.sendMessage);
  answer = await call("POST", sendUrl + "?OperationContext=" + randomUUID(), { token, body: "Hello from Node", contentType: "text/plain", accept: mime });
  expect(answer.status === 201, `sendMessage answered ${answer.status}: ${answer.body}`);
  const messageUrl = join(sendUrl, header(answer, "Location") || "");
  const sent = await channel.wait(
    "the message's completed event",
    (e) => e.type === "completed" && e.rel === "message" && e.href.toLowerCase() === messageUrl.toLowerCase(),
  );
  expect(sent.status === "Success", `the message completed with ${sent.status}`);
  console.log("sendMessage -> 201", messageUrl, "; completed with Success");

  const stopUrl = join(conversationUrl, messaging.resource.links.stopMessaging);
  answer = await call("POST", stopUrl, { token, body: "", contentType: "", accept: mime });
  expect(answer.status === 204, `stopMessaging answered ${answer.status}: ${answer.body}`);
  await channel.wait(
    "the conversation updated Disconnected",
    (e) => e.type === "updated" && e.rel === "conversation" && e.resource && e.resource.props.state === "Disconnected",
  );
  answer = await call("GET", conversationUrl, { token, accept: mime });
  expect(answer.status === 404, `the ended conversation answered ${answer.status}`);
  console.log("stopMessaging -> 204; conversation Disconnected, then 404");
  answer = await call("DELETE", appUrl, { token, accept: mime });
  expect(answer.status === 204, `DELETE on the application answered ${answer.status}`);
  console.log("application deleted");
  console.log("walk ok");
}

main().catch((e) => fail(e.stack || String(e)));
