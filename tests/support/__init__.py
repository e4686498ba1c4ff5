"""The shared test harness: every app folder of tests/ imports from here (or tests/factories), never
from another app folder.

- `servers`: daphne processes and private redis-servers for the services-tier tests;
- `browser`: Chromium through Playwright, the live site, screenshots;
- `keys`: a private live-leaderboard key prefix per test;
- `clients`: API clients for a user (in-process and over HTTP);
- `bank_files`: question-bank spreadsheets and CSV files to upload;
- `settings`: values the settings tests and the hardening tests share.
"""
