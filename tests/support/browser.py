"""Drives Debian's headless Chromium through chromedriver (selenium) against a running
sanctiond: signs in with the token, sees the deadlines and a countdown that changes,
follows a deadline link, presses Track on a candidate. Saves a screenshot at each step in
OUTDIR and prints one JSON object with what it saw.

usage: browser.py PORT TOKEN OUTDIR
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

port, token, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"
os.makedirs(outdir, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 15)
seen = {}
try:
    driver.get(base + "/")
    wait.until(ec.url_contains("/login"))
    seen["asked_to_sign_in"] = True
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.find_element(By.TAG_NAME, "form").submit()
    wait.until(ec.presence_of_element_located((By.ID, "deadlines")))
    driver.save_screenshot(os.path.join(outdir, "1-status-page.png"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#deadlines tr.deadline")
    seen["rows"] = [r.find_element(By.CSS_SELECTOR, "a").text for r in rows]
    countdown = driver.find_element(By.CSS_SELECTOR, ".countdown")
    wait.until(lambda d: countdown.text.startswith("in "))
    first = countdown.text
    time.sleep(2.2)
    seen["countdown"] = [first, countdown.text]
    link = rows[0].find_element(By.CSS_SELECTOR, "a")
    title = link.text
    link.click()
    wait.until(ec.url_contains("/deadlines/"))
    seen["followed"] = {"title": title, "h1": driver.find_element(By.TAG_NAME, "h1").text, "url": driver.current_url}
    driver.save_screenshot(os.path.join(outdir, "2-deadline-page.png"))
    driver.get(base + "/candidates")
    wait.until(ec.presence_of_element_located((By.ID, "candidates")))
    driver.save_screenshot(os.path.join(outdir, "3-candidates.png"))
    candidate = driver.find_element(By.CSS_SELECTOR, "#candidates a").text
    driver.find_element(By.CSS_SELECTOR, "#candidates button.track").click()
    wait.until(ec.url_matches(r"/deadlines/[^/]+$"))
    seen["tracked"] = {"candidate": candidate, "page": driver.find_element(By.TAG_NAME, "main").text}
    driver.save_screenshot(os.path.join(outdir, "4-tracked.png"))
    seen["console_errors"] = [
        e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"
    ] if hasattr(driver, "get_log") else []
except Exception:
    print(driver.current_url, driver.page_source[:2000], file=sys.stderr)
    raise
finally:
    driver.quit()
print(json.dumps(seen))
