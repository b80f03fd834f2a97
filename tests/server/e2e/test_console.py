"""The staff console in a real browser: Debian's chromium, headless, driven by Selenium through
chromedriver, against a real `nudge serve --fake-clock` with three of the example flows. Each
page is saved as a screenshot (NUDGE_SCREENSHOTS, or the test's temporary folder)."""

import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from nudge_server import NUDGE, SOURCE_DIR, Server, read_jsonl, wait_for

EXAMPLES = SOURCE_DIR / "examples"
STAFF_PASSWORD = "tea-and-biscuits-42"
ADMIN_PASSWORD = "the-owner's-long-password"
SALE_FROM = "4759440000"
XSS = "<script>alert(1)</script>"


def hash_password(password):
    out = subprocess.run([NUDGE, "hash-password"], input=password + "\n", capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


@pytest.fixture(scope="module")
def hashes():
    return {"anna": hash_password(STAFF_PASSWORD), "olga": hash_password(ADMIN_PASSWORD)}


@pytest.fixture
def server(tmp_path, hashes):
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(EXAMPLES / "sms-outcomes" / "sms_outcomes.flow", flows)
    shutil.copy(EXAMPLES / "booking-confirmation" / "booking_confirmation.flow", flows)
    shutil.copy(EXAMPLES / "missed-call" / "missed_call.flow", flows)
    s = Server(tmp_path, flows,
               {"sms": f"file:{tmp_path / 'sms.jsonl'}", "letter": f"file:{tmp_path / 'letters.jsonl'}"},
               fake_clock="2026-06-05T18:00:00+02:00",
               extra=["--console-user", f"anna:staff:{hashes['anna']}",
                      "--console-user", f"olga:admin:{hashes['olga']}",
                      "--console-zone", "Europe/Copenhagen"])
    s.start()
    yield s
    s.stop()


@pytest.fixture
def shots(tmp_path):
    folder = pathlib.Path(os.environ.get("NUDGE_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(monkeypatch):
    # Chromium keeps its profile and its singleton socket under TMPDIR: a short folder of our
    # own (a socket's path must stay under 108 bytes), removed afterwards. Left in /tmp, they
    # piled up run after run.
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="nudge-chromium-"))
    monkeypatch.setenv("TMPDIR", str(scratch))
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,1000", "--lang=en", f"--user-data-dir={scratch / 'profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or
                                              "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(scratch, ignore_errors=True)


def submit(driver, button):
    """Clicks a form's button (or a link) and waits until the next page has loaded."""
    driver.execute_script("window.nudgeOldPage = true")
    button.click()

    def loaded(d):
        try:
            return d.execute_script(
                "return window.nudgeOldPage === undefined && document.readyState === 'complete'")
        except WebDriverException:  # between two pages
            return False

    WebDriverWait(driver, 15).until(loaded)


def login(driver, server, name, password):
    driver.get(server.base + "/ui/login")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form#login button"))


def shot(driver, folder, name, width=1200):
    """A screenshot of the whole page."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, max(600, min(height + 120, 4000)))
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.set_window_size(1200, 1000)


def no_alert(driver):
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def flash(driver):
    return driver.find_element(By.ID, "flash").text


def test_the_console_in_a_browser(server, browser, shots):
    d = browser
    # ---- every page is behind the login ---------------------------------------------------
    d.get(server.base + "/ui/lists?flow=booking_confirmation")
    assert "/ui/login" in d.current_url
    shot(d, shots, "login")
    login(d, server, "anna", "not her password")
    assert "do not match" in d.find_element(By.CSS_SELECTOR, "form#login .flash").text
    login(d, server, "anna", STAFF_PASSWORD)
    assert d.current_url.endswith("/ui/inbox")
    assert d.find_element(By.ID, "user").text == "anna"

    # ---- replies nobody's words matched arrive in the inbox ------------------------------
    sale = {"phone": "+4791234567", "first_name": "Kari", "product": "Fiber 500",
            "price": "499", "seller": "Per"}
    assert server.event("outcome.sale", sale).status_code == 202
    other = dict(sale, phone="+4791234568", first_name="Ola")
    assert server.event("outcome.sale", other).status_code == 202
    assert server.inbound("+4791234567", SALE_FROM, "kanskje, ring meg i morgen").json() == \
        {"result": "unmatched"}
    assert server.inbound("+4791234568", SALE_FROM, XSS).json() == {"result": "unmatched"}
    d.get(server.base + "/ui/inbox")
    items = d.find_elements(By.CSS_SELECTOR, "article.item")
    assert len(items) == 2
    # Newest first; the script is shown as text and never runs.
    assert items[0].find_element(By.CSS_SELECTOR, "blockquote.text").text == XSS
    assert no_alert(d)
    assert XSS not in d.page_source  # it is escaped in the HTML
    assert items[1].find_element(By.CSS_SELECTOR, "blockquote.text").text == \
        "kanskje, ring meg i morgen"
    assert "No answer matched: 2" in d.find_element(By.ID, "reasons").text
    assert d.find_element(By.CSS_SELECTOR, "[data-count=inbox]").text == "2"
    shot(d, shots, "inbox")

    # ---- staff moves Kari's sale to "confirmed by seller" from the inbox -----------------
    kari_item = items[1]
    kari_id = kari_item.get_attribute("id").split("-")[1]
    move = kari_item.find_element(By.CSS_SELECTOR, "form.move")
    Select(move.find_element(By.NAME, "state")).select_by_value("confirmed_by_seller")
    submit(d, move.find_element(By.CSS_SELECTOR, "button"))
    assert "/ui/instances/" in d.current_url
    assert "Moved to confirmed_by_seller" in flash(d)
    assert d.find_element(By.ID, "state").text == "confirmed_by_seller"
    timeline = d.find_element(By.ID, "timeline").text
    assert "Reply assigned by hand by anna" in timeline
    assert "Moved by hand by anna" in timeline
    assert "kanskje, ring meg i morgen" in timeline
    assert "handed to the gateway" in timeline  # the sale's SMS went to the file transport
    shot(d, shots, "instance")
    # The API sees the same: the step was committed with her name.
    instance_id = int(d.current_url.rsplit("/", 1)[1])
    history = server.instance(instance_id)["history"]
    moved = [r for r in history if r["kind"] == "moved"]
    assert moved and moved[0]["by"] == "anna" and moved[0]["state"] == "confirmed_by_seller"
    inbox = server.get("/v1/inbox?all=true").json()["inbox"]
    assert [i["assigned_to"] for i in inbox if str(i["id"]) == kari_id] == [instance_id]

    # Ola's message is marked handled with a note.
    d.get(server.base + "/ui/inbox")
    item = d.find_element(By.CSS_SELECTOR, "article.item")
    item.find_element(By.CSS_SELECTOR, "form.close input[name=note]").send_keys(
        "Called him, he wants to think about it")
    submit(d, item.find_element(By.CSS_SELECTOR, "form.close button"))
    assert "Marked handled" in flash(d)
    assert d.find_elements(By.CSS_SELECTOR, "article.item") == []
    d.get(server.base + "/ui/inbox?all=1")
    assert "Handled by anna" in d.page_source and "Called him" in d.page_source

    # ---- the technician's list: only confirmed bookings ----------------------------------
    for n, who in ((1, "Astrid"), (2, "Bengt"), (3, "Cecilia")):
        r = server.event("booking.created", {
            "booking_id": f"B-{n}", "customer": who, "phone": f"+4670123456{n}",
            "postal_address": f"Storgatan {n}, Uppsala", "visit_at": "2026-07-20T09:00:00+02:00",
            "place": "Uppsala"})
        assert r.status_code == 202, r.text
    for n in (1, 3):
        assert server.event("booking.confirmed", {"booking_id": f"B-{n}"}).json()["signalled"] == 1
    d.get(server.base + "/ui/lists")
    Select(d.find_element(By.NAME, "flow")).select_by_value("booking_confirmation")
    submit(d, d.find_element(By.CSS_SELECTOR, "form.filters button"))
    Select(d.find_element(By.NAME, "state")).select_by_value("confirmed")
    submit(d, d.find_element(By.CSS_SELECTOR, "form.filters button"))
    keys = [td.text for td in d.find_elements(By.CSS_SELECTOR, "#list tbody td:nth-child(2)")]
    assert keys == ["B-1", "B-3"]
    assert "Astrid" in d.find_element(By.ID, "list").text
    assert "Bengt" not in d.find_element(By.ID, "list").text
    shot(d, shots, "technician-list")
    # Sorted by customer, newest name first.
    submit(d, d.find_element(By.LINK_TEXT, "customer"))
    submit(d, d.find_element(By.LINK_TEXT, "customer"))
    keys = [td.text for td in d.find_elements(By.CSS_SELECTOR, "#list tbody td:nth-child(2)")]
    assert keys == ["B-3", "B-1"]
    # The CSV export has the same rows.
    csv_url = d.find_element(By.ID, "csv").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in d.get_cookies()}
    csv = requests.get(csv_url, cookies=cookies, timeout=10)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert len(lines) == 3 and '"B-3"' in lines[1] and '"Cecilia"' in lines[1]
    # A reschedule takes a booking off the list.
    r = server.event("booking.rescheduled", {"booking_id": "B-1",
                                             "visit_at": "2026-07-27T09:00:00+02:00"})
    assert r.json()["signalled"] == 1
    d.refresh()
    keys = [td.text for td in d.find_elements(By.CSS_SELECTOR, "#list tbody td:nth-child(2)")]
    assert keys == ["B-3"]

    # ---- a form without its CSRF token is refused, and changes nothing -------------------
    d.get(server.base + f"/ui/instances/{instance_id}")
    d.execute_script("document.querySelector('form.move input[name=csrf]').remove()")
    Select(d.find_element(By.CSS_SELECTOR, "form.move select")).select_by_value("unanswered")
    submit(d, d.find_element(By.CSS_SELECTOR, "form.move button"))
    assert "expired or was not sent from the console" in d.find_element(By.ID, "problem").text
    assert server.instance(instance_id)["state"] == "confirmed_by_seller"

    # ---- staff may not open the administrator's pages ------------------------------------
    d.get(server.base + "/ui/report")
    assert "Only an administrator" in d.find_element(By.ID, "problem").text
    d.get(server.base + "/ui/inbox")
    submit(d, d.find_element(By.CSS_SELECTOR, "form.logout button"))
    assert "/ui/login" in d.current_url
    d.get(server.base + "/ui/inbox")
    assert "/ui/login" in d.current_url

    # ---- an evening of missed calls, and the owner's report ------------------------------
    for n in range(1, 4):
        r = server.event("call.missed", {"phone": f"+452012345{n}", "restaurant": "Pizza Roma"})
        assert r.status_code == 202 and len(r.json()["started"]) == 1
    server.advance("31s")  # the three SMS go out
    assert server.event("call.returned", {"phone": "+4520123451"}).json()["signalled"] == 1
    server.advance("45m")  # the two others wait
    login(d, server, "olga", ADMIN_PASSWORD)
    d.get(server.base + "/ui/report")
    report = d.find_element(By.ID, "report-missed_call")
    assert report.find_element(By.CSS_SELECTOR, ".triggers").text == "3"
    funnel = {row.find_element(By.TAG_NAME, "th").text: row.find_element(By.CSS_SELECTOR, "td.n").text
              for row in report.find_elements(By.CSS_SELECTOR, "table.funnel tr")}
    assert funnel["texted"] == "3" and funnel["called_back"] == "1" and funnel["waiting"] == "2"
    shot(d, shots, "report")

    # ---- the administrator's other pages -------------------------------------------------
    d.get(server.base + "/ui/flows")
    assert d.find_element(By.CSS_SELECTOR, "[data-count='booking_confirmation:confirmed']").text == "1"
    submit(d, d.find_element(By.CSS_SELECTOR, "form.reload button"))
    assert "Nothing had changed" in d.find_element(By.ID, "reload-result").text
    shot(d, shots, "flows")
    d.get(server.base + "/ui/optouts")
    add = d.find_element(By.CSS_SELECTOR, "form.add")
    add.find_element(By.NAME, "address").send_keys("+4791234568")
    add.find_element(By.NAME, "reason").send_keys("asked on the phone")
    submit(d, add.find_element(By.CSS_SELECTOR, "button"))
    assert "Opted out: +4791234568" in flash(d)
    changes = d.find_element(By.ID, "changes").text
    assert "+4791234568" in changes and "olga" in changes and "asked on the phone" in changes
    shot(d, shots, "optouts")


def test_the_console_speaks_danish_and_guards_its_forms(tmp_path, hashes):
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(EXAMPLES / "missed-call" / "missed_call.flow", flows)
    s = Server(tmp_path, flows, {"sms": f"file:{tmp_path / 'sms.jsonl'}"},
               fake_clock="2026-06-05T18:00:00+02:00",
               extra=["--console-user", f"anna:staff:{hashes['anna']}",
                      "--console-language", "da"])
    s.start()
    try:
        http = requests.Session()
        page = http.get(s.base + "/ui/login", timeout=10)
        assert page.status_code == 200 and "Log ind" in page.text and 'lang="da"' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        token = re.search(r'name="login_token" value="([0-9a-f]+)"', page.text).group(1)
        # The login form needs the token its cookie carries.
        bare = requests.post(s.base + "/ui/login", data={"name": "anna", "password": STAFF_PASSWORD,
                                                         "login_token": token}, timeout=10,
                             allow_redirects=False)
        assert bare.status_code == 403
        r = http.post(s.base + "/ui/login", data={"name": "anna", "password": STAFF_PASSWORD,
                                                  "login_token": token, "next": "/ui/lists"},
                      timeout=10, allow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/ui/lists"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ui" in cookie
        page = http.get(s.base + "/ui/inbox", timeout=10)
        assert "Indbakke" in page.text and "Intet venter" in page.text
        # A logout without the token is refused; the session stays.
        assert http.post(s.base + "/ui/logout", timeout=10).status_code == 403
        assert http.get(s.base + "/ui/inbox", timeout=10, allow_redirects=False).status_code == 200
        # Five wrong passwords lock the name for a minute.
        for _ in range(5):
            page = http.get(s.base + "/ui/login", timeout=10)
            token = re.search(r'name="login_token" value="([0-9a-f]+)"', page.text).group(1)
            http.post(s.base + "/ui/login", data={"name": "anna", "password": "wrong",
                                                  "login_token": token}, timeout=10)
        page = http.get(s.base + "/ui/login", timeout=10)
        token = re.search(r'name="login_token" value="([0-9a-f]+)"', page.text).group(1)
        r = http.post(s.base + "/ui/login", data={"name": "anna", "password": STAFF_PASSWORD,
                                                  "login_token": token}, timeout=10)
        assert r.status_code == 429
    finally:
        s.stop()


def test_no_console_without_users(server):
    # The fixture's server has users; one without answers 404 under /ui/ with a hint.
    bare = server.workdir / "bare"
    s = Server(bare, server.flows, {"sms": f"file:{bare / 'sms.jsonl'}",
                                    "letter": f"file:{bare / 'letters.jsonl'}"},
               fake_clock="2026-06-05T18:00:00+02:00")
    s.workdir.mkdir()
    s.db = s.workdir / "nudge.db"
    s.log_path = s.workdir / "serve.log"
    s.start()
    try:
        r = requests.get(s.base + "/ui/inbox", timeout=10)
        assert r.status_code == 404 and "console users" in r.json()["error"]
    finally:
        s.stop()


def test_a_business_changes_its_settings_in_the_browser(tmp_path, hashes, browser, shots):
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(EXAMPLES / "missed-call" / "missed_call.flow", flows)
    out = tmp_path / "sms.jsonl"
    s = Server(tmp_path, flows, {"sms": f"file:{out}"},
               fake_clock="2026-06-05T21:30:00+02:00",
               extra=["--console-user", f"olga:admin:{hashes['olga']}",
                      "--console-user", f"anna:staff:{hashes['anna']}",
                      "--console-zone", "Europe/Copenhagen",
                      "--setting", "vesterbro/missed_call/restaurant=Pizzabaren Vesterbro",
                      "--setting", "vesterbro/missed_call/sms=on, from 4532100001",
                      "--setting", "roma/missed_call/restaurant=Roma"])
    s.start()
    d = browser
    try:
        # Staff cannot open the page.
        login(d, s, "anna", STAFF_PASSWORD)
        d.get(s.base + "/ui/settings")
        assert "Only an administrator" in d.page_source
        d.delete_all_cookies()
        login(d, s, "olga", ADMIN_PASSWORD)
        d.get(s.base + "/ui/settings")
        section = d.find_element(By.ID, "settings-missed_call@vesterbro")
        hours = section.find_element(By.NAME, "set_active_hours")
        assert hours.get_attribute("value") == "mon-sun 10:00-22:00"
        assert section.find_element(By.NAME, "set_restaurant").get_attribute("value") == \
            "Pizzabaren Vesterbro"
        # A text with a merge field the flow does not have is refused, and nothing changes.
        missed = section.find_element(By.NAME, "set_missed")
        missed.clear()
        missed.send_keys("Hej {first_name}!")
        submit(d, section.find_element(By.CSS_SELECTOR, "button"))
        assert "unknown merge field '{first_name}'" in flash(d)
        assert "error" in d.find_element(By.ID, "flash").get_attribute("class")
        versions = {f["name"]: f["version"] for f in s.get("/v1/flows").json()["flows"]}
        assert versions["missed_call@vesterbro"] == 1
        # Open until midnight: a call at 21:30 is texted at once (after the 30 s), and the
        # restaurant's name changes in the message.
        section = d.find_element(By.ID, "settings-missed_call@vesterbro")
        hours = section.find_element(By.NAME, "set_active_hours")
        hours.clear()
        hours.send_keys("mon-sun 10:00-24:00")
        name = section.find_element(By.NAME, "set_restaurant")
        name.clear()
        name.send_keys("Vesterbro Pizza & Grill")
        submit(d, section.find_element(By.CSS_SELECTOR, "button"))
        assert "Saved and running: missed_call@vesterbro (Version 2" in flash(d)
        changes = d.find_element(By.ID, "settings-changes").text
        assert "olga" in changes and "active_hours = mon-sun 10:00-24:00" in changes
        shot(d, shots, "settings")
        # The flows page lists both versions, the newest first, each with its text.
        d.get(s.base + "/ui/flows")
        section = d.find_element(By.ID, "flow-missed_call@vesterbro")
        section.find_element(By.CSS_SELECTOR, "details.versions > summary").click()
        versions = section.find_elements(By.CSS_SELECTOR, "ol.versions > li")
        assert len(versions) == 2
        assert versions[0].text.startswith("Version 2") and "newest" in versions[0].text
        versions[0].find_element(By.TAG_NAME, "summary").click()
        assert "flow missed_call for vesterbro" in versions[0].find_element(By.TAG_NAME, "pre").text
        assert 'window active_hours = mon-sun 10:00-24:00' in versions[0].text
        s.advance("1h")  # 22:30: closed by the old hours, open by the new
        r = r_vesterbro = s.event("call.missed?business=vesterbro", {"phone": "+4520123456"})
        assert len(r.json()["started"]) == 1, r.text
        r = s.event("call.missed?business=roma", {"phone": "+4520123457"})
        assert r.json()["suppressed"] == [{"flow": "missed_call@roma", "reason": "outside_window"}]
        s.advance("30s")
        sms = wait_for(lambda: out.exists() and read_jsonl(out), what="Vesterbro's SMS")
        assert len(sms) == 1 and "Vesterbro Pizza & Grill" in sms[0]["text"]
        # A message by hand from the instance's page: start from a template, edit, send.
        instance = r_vesterbro.json()["started"][0]
        d.get(s.base + f"/ui/instances/{instance}")
        pick = d.find_element(By.CSS_SELECTOR, "form.pick")
        Select(pick.find_element(By.NAME, "template")).select_by_visible_text("unclear (sms)")
        submit(d, pick.find_element(By.CSS_SELECTOR, "button"))
        form = d.find_element(By.CSS_SELECTOR, "form.send")
        text = form.find_element(By.NAME, "text")
        assert text.get_attribute("value").startswith("Vi kunne ikke helt læse bestillingen.")
        text.clear()
        text.send_keys("Hej! Vi ringer dig op fra {restaurant} om lidt.")
        submit(d, form.find_element(By.CSS_SELECTOR, "button"))
        assert flash(d) == "Sent."
        timeline = d.find_element(By.ID, "timeline").text
        assert "Message sent by olga" in timeline
        assert "Vi ringer dig op fra Vesterbro Pizza & Grill om lidt." in timeline
        assert d.find_element(By.ID, "state").text == "texted"
        shot(d, shots, "send-by-hand")
        # A merge field the customer has no value for: refused, nothing sent.
        form = d.find_element(By.CSS_SELECTOR, "form.send")
        form.find_element(By.NAME, "text").send_keys("Din ordre: {order_summary}")
        submit(d, form.find_element(By.CSS_SELECTOR, "button"))
        assert "{order_summary}" in flash(d) and "nothing was sent" in flash(d)
        sms = wait_for(lambda: len(read_jsonl(out)) == 2 and read_jsonl(out), what="the SMS by hand")
        assert sms[1]["text"] == "Hej! Vi ringer dig op fra Vesterbro Pizza & Grill om lidt."
        # A form that carries only some settings (a script's POST) changes only those: the
        # others keep their values rather than being emptied.
        cookies = {c["name"]: c["value"] for c in d.get_cookies()}

        def roma_values():
            page = requests.get(s.base + "/ui/settings", cookies=cookies, timeout=10).text
            section = page[page.index('id="settings-missed_call@roma"'):]
            section = section[:section.index("</form>")]
            values = dict(re.findall(r'name="(set_\w+)" value="([^"]*)"', section))
            values.update(re.findall(r'name="(set_\w+)"[^>]*>([^<]*)</textarea>', section))
            return values, re.search(r'name="csrf" value="([^"]+)"', page).group(1)

        before, token = roma_values()
        assert before["set_restaurant"] != "Roma Centro" and len(before) > 3
        r = requests.post(s.base + "/ui/settings/missed_call@roma", cookies=cookies,
                          data={"csrf": token, "set_restaurant": "Roma Centro"}, timeout=10,
                          allow_redirects=False)
        assert r.status_code in (302, 303), r.text
        after, _ = roma_values()
        assert after == {**before, "set_restaurant": "Roma Centro"}
    finally:
        assert s.stop() == 0
    # The change outlives a restart: the console's values win over the flags'.
    again = Server(tmp_path, flows, {"sms": f"file:{out}"},
                   fake_clock="2026-06-05T21:30:00+02:00",
                   extra=["--setting", "vesterbro/missed_call/restaurant=Pizzabaren Vesterbro",
                          "--setting", "vesterbro/missed_call/sms=on, from 4532100001",
                          "--setting", "roma/missed_call/restaurant=Roma"])
    again.start()
    try:
        flows_now = {f["name"]: f["version"] for f in again.get("/v1/flows").json()["flows"]}
        assert flows_now == {"missed_call@roma": 2, "missed_call@vesterbro": 2}
    finally:
        assert again.stop() == 0
