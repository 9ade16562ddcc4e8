#!/usr/bin/env python3
"""Serves browser.html on its own loopback origin and takes the page's report.

Usage: page_server.py PAGE RESULT PORT_FILE
Serves GET /browser.html, writes the port it listens on to PORT_FILE, and writes the body of the
first POST /result to RESULT, then exits.
"""
import http.server
import sys
import threading

page_path, result_path, port_path = sys.argv[1:4]
with open(page_path, "rb") as f:
    page = f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/browser.html":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def do_POST(self):
        if self.path != "/result":
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(result_path, "wb") as f:
            f.write(body)
        self.send_response(204)
        self.end_headers()
        threading.Thread(target=self.server.shutdown).start()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_path, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
