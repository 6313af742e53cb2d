#!/usr/bin/env python3
"""End-to-end test of olaf-client's browser UI in real headless Chromium.

Two real olafd servers linked as neighbours, three real olaf-client daemons (alice and carol on server A, bob on
server B). Alice and bob use the UI in two browsers (bob's window is narrow); carol runs headless
(--passphrase-file) and is checked through her API. Covers: creating keys in the browser, seeing each other
online, a direct message (delivered live), a group message with carol, a public message, a file, a hostile
message shown as text, and the UI server refusing requests without the token, with a foreign Origin or with a
foreign Host header. Saves screenshots of the unlock and main screens (--screenshots DIR).

Needs: .build/debug/olafd and olaf-client (swift build), chromium + chromium-driver, python3 selenium.
Prints "N passed, N failed" and exits non-zero on any failure.
"""
import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".build", "debug")
WAIT = 30
HOSTILE = "<img src=x onerror=alert(1)>"

results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name} {detail}")


class HeaderTrap:
    """An HTTP listener on another loopback port that records every request head it gets (a local attacker's)."""

    def __init__(self):
        import threading
        self.requests = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(5)
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        chunk = connection.recv(4096)
                        if not chunk:
                            break
                        head += chunk
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                                       b"Connection: close\r\n\r\nok")
                except OSError:
                    pass
                if head:
                    self.requests.append(head.decode("latin-1"))

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        self.listener.close()


def free_port():
    # Below the ephemeral range, so no outgoing connection can take it before the server binds it.
    for _ in range(2000):
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def wait_for_port(port, process, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


class Neighbourhood:
    """Two linked olafd processes and the olaf-client daemons started on them."""

    def __init__(self, scratch):
        self.scratch = scratch
        self.processes = []
        self.ports = [free_port(), free_port()]
        states = [os.path.join(scratch, name) for name in ("server-a", "server-b")]
        keys = [subprocess.run([os.path.join(BIN, "olafd"), "key", "show", "--state-dir", state],
                               check=True, capture_output=True, text=True).stdout for state in states]
        for index in (0, 1):
            other = 1 - index
            neighbours = os.path.join(scratch, f"neighbours-{index}.json")
            with open(neighbours, "w") as handle:
                json.dump([{"address": f"127.0.0.1:{self.ports[other]}", "public_key": keys[other]}], handle)
            log = open(os.path.join(scratch, f"olafd-{index}.log"), "w")
            process = subprocess.Popen(
                [os.path.join(BIN, "olafd"), "--listen", f"127.0.0.1:{self.ports[index]}", "--state-dir",
                 states[index], "--neighbours-file", neighbours], stdout=log, stderr=log)
            self.processes.append(process)
            wait_for_port(self.ports[index], process)

    def client(self, name, server_index, passphrase=None):
        data = os.path.join(self.scratch, name)
        arguments = [os.path.join(BIN, "olaf-client"), "--server", f"127.0.0.1:{self.ports[server_index]}",
                     "--ui", "127.0.0.1:0", "--data-dir", data]
        if passphrase:
            os.makedirs(data, exist_ok=True)
            # 0600: olaf-client refuses a passphrase file group or others could read.
            descriptor = os.open(os.path.join(self.scratch, f"{name}.pass"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(passphrase + "\n")
            arguments += ["--passphrase-file", os.path.join(self.scratch, f"{name}.pass")]
        log = open(os.path.join(self.scratch, f"{name}.log"), "w")
        process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=log, text=True)
        self.processes.append(process)
        line = process.stdout.readline()
        match = re.match(r"Open (http://127\.0\.0\.1:(\d+)/#token=([A-Za-z0-9_-]+))$", line.strip())
        if not match:
            raise RuntimeError(f"{name}: unexpected first line {line!r}")
        return {"name": name, "url": match.group(1), "port": int(match.group(2)), "token": match.group(3),
                "data": data, "process": process}

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def raw_request(client, path, headers, method="GET", body=None):
    connection = http.client.HTTPConnection("127.0.0.1", client["port"], timeout=20)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def api(client, path):
    status, data = raw_request(client, path, {"Host": f"127.0.0.1:{client['port']}",
                                              "Authorization": f"Bearer {client['token']}"})
    if status != 200:
        raise RuntimeError(f"{path}: {status} {data[:200]!r}")
    return json.loads(data)


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-GB"):
        options.add_argument(argument)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


def wait(driver, condition, what):
    try:
        return WebDriverWait(driver, WAIT).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}")


def visible(driver, element_id):
    element = driver.find_element(By.ID, element_id)
    return element if element.is_displayed() else None


def open_sidebar(driver):
    toggle = driver.find_element(By.ID, "sidebar-toggle")
    if toggle.is_displayed() and "open" not in driver.find_element(By.ID, "sidebar").get_attribute("class"):
        toggle.click()


def create_key(driver, client, passphrase, screenshot=None):
    driver.get(client["url"])
    wait(driver, lambda d: visible(d, "unlock-screen") and visible(d, "confirm-row"), "the create-key screen")
    check(f"{client['name']}: the page lost the token from its address", "token" not in driver.current_url,
          driver.current_url)
    check(f"{client['name']}: no cookie", driver.get_cookies() == [], str(driver.get_cookies()))
    driver.find_element(By.ID, "passphrase").send_keys(passphrase)
    driver.find_element(By.ID, "passphrase-confirm").send_keys(passphrase)
    if screenshot:
        driver.save_screenshot(screenshot)
    driver.find_element(By.ID, "unlock-button").click()
    wait(driver, lambda d: visible(d, "main-screen"), "the main screen")
    wait(driver, lambda d: d.find_element(By.ID, "connection").text == "online", "online")
    return driver.find_element(By.ID, "me-fingerprint").get_attribute("textContent")


def person_button(driver, fingerprint):
    found = driver.find_elements(By.CSS_SELECTOR, f'.person[data-fingerprint="{fingerprint}"] .name')
    return found[0] if found else None


def click(driver, selector):
    """Clicks the element matching `selector`, looking it up again if the list was re-rendered meanwhile."""
    def attempt(d):
        try:
            found = d.find_elements(By.CSS_SELECTOR, selector)
            if found:
                found[0].click()
                return True
        except StaleElementReferenceException:
            pass
        return False
    wait(driver, attempt, f"a clickable {selector}")


def set_nickname(driver, fingerprint, nickname):
    open_sidebar(driver)
    row = f'.person[data-fingerprint="{fingerprint}"]'
    click(driver, f"{row} .info")
    # The online list is re-rendered whenever a fresh client list arrives, except while a nickname field has the
    # focus: focus the field first (looking it up again if a re-render replaced it), then type.
    def typed(d):
        try:
            found = d.find_elements(By.CSS_SELECTOR, f"{row} .person-details input")
            if not found:
                return False
            found[0].click()
            if d.switch_to.active_element != found[0]:
                return False
            found[0].clear()
            found[0].send_keys(nickname + Keys.ENTER)
            return True
        except StaleElementReferenceException:
            return False
    wait(driver, typed, f"the nickname field for {nickname}")
    def named(d):
        try:
            button = person_button(d, fingerprint)
            return button is not None and button.text == nickname
        except StaleElementReferenceException:
            return False
    wait(driver, named, f"nickname {nickname}")


def message_texts(driver):
    return [item.get_attribute("textContent") for item in driver.find_elements(By.CSS_SELECTOR, "#messages .body")]


def send(driver, text):
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def open_conversation(driver, title_prefix):
    open_sidebar(driver)
    def find(d):
        for button in d.find_elements(By.CSS_SELECTOR, "#conversations li button"):
            if button.text.startswith(title_prefix):
                return button
        return None
    def attempt(d):
        try:
            button = find(d)
            if button:
                button.click()
                return True
        except StaleElementReferenceException:
            pass
        return False
    wait(driver, attempt, f"conversation {title_prefix!r}")


def run(screenshots):
    scratch = tempfile.mkdtemp(prefix="olaf-browser-")
    hood = Neighbourhood(scratch)
    drivers = []
    try:
        alice = hood.client("alice", 0)
        bob = hood.client("bob", 1)
        carol = hood.client("carol", 0, passphrase="carol's long passphrase")
        carol_fp = subprocess.run([os.path.join(BIN, "olaf-client"), "key", "show", "--fingerprint", "--data-dir",
                                   carol["data"]], check=True, capture_output=True, text=True).stdout.strip()

        # Requests without the token, with a foreign Origin or a foreign Host are refused.
        host = {"Host": f"127.0.0.1:{alice['port']}"}
        bearer = {"Authorization": f"Bearer {alice['token']}"}
        check("no token: 401", raw_request(alice, "/api/state", host)[0] == 401)
        page = raw_request(alice, "/", host)
        check("the page needs no token and carries none", page[0] == 200 and alice["token"].encode() not in page[1], str(page[0]))
        check("a cookie opens nothing", raw_request(alice, "/api/state", {
            **host, "Cookie": f"olaf_ui_{alice['port']}={alice['token']}"})[0] == 401)
        check("foreign Origin: 403", raw_request(alice, "/api/state", {**host, **bearer,
                                                                       "Origin": "http://evil.example"})[0] == 403)
        check("foreign Origin POST: 403", raw_request(
            alice, "/api/create", {**host, **bearer, "Origin": "http://evil.example",
                                   "Content-Type": "application/json"}, "POST", b'{"passphrase":"xxxxxxxxxxxx"}')[0] == 403)
        check("foreign Host: 421", raw_request(alice, "/api/state", {"Host": f"evil.example:{alice['port']}",
                                                                     **bearer})[0] == 421)
        check("token and own Host: 200", raw_request(alice, "/api/state", {**host, **bearer})[0] == 200)

        alice_driver = browser(1280, 820)
        bob_driver = browser(420, 820)
        drivers += [alice_driver, bob_driver]
        alice_fp = create_key(alice_driver, alice, "alice's long passphrase",
                              os.path.join(screenshots, "olaf-client-unlock.png"))
        bob_fp = create_key(bob_driver, bob, "bob's long passphrase")
        check("keys created in the browser", alice_fp and bob_fp and alice_fp != bob_fp)

        # See each other online (bob's window is narrow: the people list is behind a toggle).
        wait(alice_driver, lambda d: person_button(d, bob_fp) and person_button(d, carol_fp), "bob and carol online")
        open_sidebar(bob_driver)
        wait(bob_driver, lambda d: person_button(d, alice_fp), "alice online for bob")
        check("alice sees bob and carol online", True)
        servers = alice_driver.execute_script(  # read in one step: the list may be re-rendered between two reads
            "return [...document.querySelectorAll('#online .server-name')].map((box) => box.textContent)")
        check("online list grouped by server", len(servers) == 2 and any("(your server)" in s for s in servers),
              str(servers))
        updated = alice_driver.find_element(By.ID, "online-updated").text
        check("the online list says when it was last updated", updated.startswith("updated "), updated)
        set_nickname(alice_driver, bob_fp, "Bob")
        set_nickname(alice_driver, carol_fp, "Carol")
        set_nickname(bob_driver, alice_fp, "Alice")
        check("local nicknames replace short fingerprints", alice_driver.execute_script(
            "return document.querySelector(arguments[0]).textContent", f'.person[data-fingerprint="{bob_fp}"] .name')
              == "Bob")

        # Direct message, delivered live to bob's open conversation.
        click(bob_driver, f'.person[data-fingerprint="{alice_fp}"] .name')
        click(alice_driver, f'.person[data-fingerprint="{bob_fp}"] .name')
        send(alice_driver, "Hello Bob, this is direct")
        wait(bob_driver, lambda d: "Hello Bob, this is direct" in message_texts(d), "the direct message at bob")
        check("direct message visible to bob", True)
        check("direct message visible to alice", "Hello Bob, this is direct" in message_texts(alice_driver))
        marks = [m.text for m in bob_driver.find_elements(By.CSS_SELECTOR, "#messages .mark")]
        check("received message carries the verified mark", any("verified" in m for m in marks), str(marks))
        send(bob_driver, "Hi Alice!")
        wait(alice_driver, lambda d: "Hi Alice!" in message_texts(d), "bob's reply at alice")
        check("reply visible to alice", True)

        # Group message with carol (headless client, checked through her API).
        open_sidebar(alice_driver)
        for fingerprint in (bob_fp, carol_fp):
            click(alice_driver, f'.person[data-fingerprint="{fingerprint}"] input[type=checkbox]')
        click(alice_driver, "#group-button")
        send(alice_driver, "Hello group of three")
        wait(alice_driver, lambda d: "Hello group of three" in message_texts(d), "the group message at alice")
        check("group titled with nicknames", alice_driver.find_element(By.ID, "chat-title").text == "Group: Bob, Carol",
              alice_driver.find_element(By.ID, "chat-title").text)
        open_conversation(bob_driver, "Group:")
        wait(bob_driver, lambda d: "Hello group of three" in message_texts(d), "the group message at bob")
        check("group message visible to bob", True)
        deadline = time.time() + WAIT
        carol_texts = []
        while time.time() < deadline and "Hello group of three" not in carol_texts:
            groups = [c for c in api(carol, "/api/conversations")["conversations"] if c["kind"] == "group"]
            carol_texts = [m["text"] for g in groups for m in
                           api(carol, "/api/messages?conversation=" + urllib.request.quote(g["id"]))["messages"]]
            time.sleep(0.2)
        check("group message received by carol", "Hello group of three" in carol_texts, str(carol_texts))

        # Public message from bob (server B) to everyone.
        open_conversation(bob_driver, "Public channel")
        send(bob_driver, "Hello everyone, public")
        open_conversation(alice_driver, "Public channel")
        wait(alice_driver, lambda d: "Hello everyone, public" in message_texts(d), "the public message at alice")
        check("public message visible to alice", True)
        check("public message visible to bob", "Hello everyone, public" in message_texts(bob_driver))

        # A hostile message is shown as text and runs nothing.
        send(alice_driver, HOSTILE)
        wait(bob_driver, lambda d: HOSTILE in message_texts(d), "the hostile text at bob")
        for name, driver in (("alice", alice_driver), ("bob", bob_driver)):
            check(f"{name}: hostile message shown as text", HOSTILE in message_texts(driver))
            check(f"{name}: no element created from it", not driver.find_elements(By.CSS_SELECTOR, "#messages img"))
            try:
                driver.switch_to.alert
                check(f"{name}: no alert ran", False)
            except NoAlertPresentException:
                check(f"{name}: no alert ran", True)

        # A file from alice to bob: uploaded to alice's home server, link sent encrypted, downloadable.
        content = ("OLAF file transfer test\n" + "x" * 20000).encode()
        path = os.path.join(scratch, "report.txt")
        with open(path, "wb") as handle:
            handle.write(content)
        open_sidebar(alice_driver)
        click(alice_driver, f'.person[data-fingerprint="{bob_fp}"] .name')
        alice_driver.find_element(By.ID, "file-input").send_keys(path)
        link_selector = "#messages a.file"
        wait(alice_driver, lambda d: d.find_elements(By.CSS_SELECTOR, link_selector), "the file link at alice")
        open_sidebar(bob_driver)
        click(bob_driver, f'.person[data-fingerprint="{alice_fp}"] .name')
        link = wait(bob_driver, lambda d: d.find_elements(By.CSS_SELECTOR, link_selector), "the file link at bob")[0]
        check("file link visible to bob", "report.txt" in link.text, link.text)
        check("file link visible to alice", "report.txt" in alice_driver.find_elements(By.CSS_SELECTOR, link_selector)[0].text)
        href = link.get_attribute("href")
        check("file link points at the home server", href.startswith(f"http://127.0.0.1:{hood.ports[0]}/api/files/"),
              href)
        with urllib.request.urlopen(href, timeout=20) as response:
            check("file downloads intact", response.read() == content)
        check("a file link says where it goes", f"127.0.0.1:{hood.ports[0]}" in link.text, link.text)

        # Issue 15 item 2: disguised links. A link to a local port that is no server of the neighbourhood is text;
        # a bidi override cannot turn "fdp.exe" into ".pdf"; the host is in the link text.
        trap_link = f"http://127.0.0.1:{free_port()}/invoice%E2%80%AEfdp.exe"
        bidi_link = "https://files.example/report%E2%80%AEfdp.exe"
        send(bob_driver, trap_link)
        send(bob_driver, bidi_link)
        wait(alice_driver, lambda d: trap_link in message_texts(d), "the local link as text at alice")
        check("a link to another local port is shown as text, not as a file", True)
        def bidi_file(d):
            return [a.text for a in d.find_elements(By.CSS_SELECTOR, link_selector) if "files.example" in a.text]
        shown = wait(alice_driver, bidi_file, "the bidi file link at alice")[0]
        check("a bidi override in a file name is neutralised", "\u202e" not in shown and "\ufffd" in shown, repr(shown))

        # Issue 15 item 1: another local port (a link in a chat) must not get the token. A cookie would be sent
        # to every port on 127.0.0.1, and a navigation between loopback ports is same-site.
        trap = HeaderTrap()
        try:
            alice_driver.get(f"http://127.0.0.1:{trap.port}/invoice.pdf")
            wait(alice_driver, lambda d: trap.requests, "the request at the other port")
            leaked = [request for request in trap.requests if alice["token"] in request]
            check("another local port gets no token", not leaked, str(trap.requests))
        finally:
            trap.stop()
        # Back in the same tab, without the token in the address: the tab kept it (sessionStorage).
        alice_driver.get(f"http://127.0.0.1:{alice['port']}/")
        wait(alice_driver, lambda d: visible(d, "main-screen"), "the main screen again")
        check("the tab keeps its token across navigation", "token" not in alice_driver.current_url)
        open_sidebar(alice_driver)
        click(alice_driver, f'.person[data-fingerprint="{bob_fp}"] .name')

        alice_driver.save_screenshot(os.path.join(screenshots, "olaf-client-main.png"))
        open_conversation(bob_driver, "Public channel")
        bob_driver.save_screenshot(os.path.join(screenshots, "olaf-client-narrow.png"))
        # Issue 15 item 3: a page elsewhere auto-submits a cross-site text/plain form into an iframe at carol's
        # UI (refused), and Chromium keeps preconnected sockets open; SIGTERM must still stop carol at once.
        attack = f"""<html><body><iframe name="sink"></iframe>
<form id="f" method="POST" action="http://127.0.0.1:{carol['port']}/api/send" enctype="text/plain" target="sink">
<input name='{{"kind":"public","text":"x' value='"}}'></form>
<script>document.getElementById('f').submit();</script></body></html>"""
        bob_driver.get("data:text/html;base64," + base64.b64encode(attack.encode()).decode())
        time.sleep(2)
        stopping = time.time()
        carol["process"].send_signal(signal.SIGTERM)
        try:
            carol["process"].wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        took = time.time() - stopping
        check("olaf-client stops at once after a cross-site form post", carol["process"].returncode == 0 and took < 3,
              f"returncode {carol['process'].returncode} after {took:.2f} s")

        check("screenshots saved", all(os.path.getsize(os.path.join(screenshots, name)) > 0 for name in
                                       ("olaf-client-unlock.png", "olaf-client-main.png", "olaf-client-narrow.png")))
    except Exception:
        traceback.print_exc()
        results["failed"] += 1
        for name in sorted(os.listdir(scratch)):
            if name.endswith(".log"):
                print(f"--- {name}")
                with open(os.path.join(scratch, name)) as handle:
                    print(handle.read()[-3000:])
    finally:
        for driver in drivers:
            driver.quit()
        hood.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", default=None, help="directory for the screenshots (default: a temp dir)")
    arguments = parser.parse_args()
    screenshots = arguments.screenshots or tempfile.mkdtemp(prefix="olaf-screens-")
    os.makedirs(screenshots, exist_ok=True)
    run(screenshots)
    print(f"browser: {results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
