"""Screenshots of the main pages for docs/screenshots/, taken in Debian's chromium from the demo.

Usage: ``make screenshots`` (loads the demo into a throwaway SQLite database, serves it on a free
loopback port with ``runserver`` and logs in as the demo users; about a minute).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "gansu-demo-2019"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: (file name, demo user, path, viewport, full page)
SHOTS = [
    ("province-overview.png", "province", "/dashboard/", DESKTOP, False),
    ("province-overview-phone.png", "province", "/dashboard/", PHONE, False),
    ("county.png", "yuzhong", "/dashboard/", DESKTOP, False),
    ("tier-T10.png", "yuzhong", "/dashboard/places/620123/tiers/T10/", DESKTOP, False),
    ("village.png", "township", "/dashboard/places/620123101201/", PHONE, True),
    ("unit.png", "liaison", "/dashboard/", DESKTOP, False),
    ("home-helper.png", "helper", "/", PHONE, True),
    ("home-cadre.png", "zhucun", "/", PHONE, True),
    ("home-county.png", "yuzhong", "/", PHONE, False),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3", "DEBUG": "1"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/accounts/login/")
                    break
                except OSError:
                    time.sleep(0.2)
            OUT.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                for name, user, path, viewport, full in SHOTS:
                    context = browser.new_context(viewport=viewport, locale="zh-CN")
                    page = context.new_page()
                    page.goto(f"{base}/accounts/login/")
                    page.fill("input[name=username]", user)
                    page.fill("input[name=password]", PASSWORD)
                    with page.expect_navigation():
                        page.click("main button[type=submit]")
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(800)  # chart animations
                    page.screenshot(path=str(OUT / name), full_page=full)
                    context.close()
                    print(OUT / name)
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
